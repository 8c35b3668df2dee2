-- The partner whose POST a TAXII status resource answers: only it may read the status.
-- Rows from before this migration have none and are readable by nobody.
ALTER TABLE taxii_status ADD COLUMN partner_id TEXT;
