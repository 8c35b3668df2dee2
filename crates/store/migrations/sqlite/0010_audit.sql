-- The audit log: one row per write, hash-chained. `seq` is 1, 2, 3, … without gaps; `hash` is
-- the SHA-256 (hex) of a canonical encoding of the row's other columns (the application layer
-- defines it), `prev_hash` the previous row's hash (64 zeros for the first row). Rows are only
-- ever appended, each in the transaction of the write it records.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    -- RFC 3339 UTC
    at         TEXT NOT NULL,
    -- user:NAME, partner:ID or local:NAME
    actor      TEXT NOT NULL,
    -- e.g. taxii.add_objects
    action     TEXT NOT NULL,
    -- JSON array of strings
    object_ids TEXT NOT NULL,
    -- SHA-256 (hex) of the change
    digest     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
