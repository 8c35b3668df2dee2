-- A running job asked to stop: who asked (the actor as the audit log names it), NULL while
-- nobody did. The server running the job reads it back when it writes the job's progress, and
-- the work stops at its next check, failing as `cancelled`; a job that ends first keeps its
-- outcome, and the column shows that the request came too late.
ALTER TABLE jobs ADD COLUMN cancel_requested_by TEXT;
