-- An analyst's verdict on a finding (§3): `false_positive` hides it; `confirmed` makes a
-- candidate (a match that checked no version: vendor only, name without version, a KEV entry)
-- a finding with its SSVC decision, counted in exposure. One verdict per (asset, CVE, item):
-- a later verdict replaces the earlier one. The false positives marked so far keep their verdict.
ALTER TABLE false_positives RENAME TO finding_marks;
ALTER TABLE finding_marks ADD COLUMN verdict TEXT NOT NULL DEFAULT 'false_positive';
