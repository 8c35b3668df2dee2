-- The audit log: one row per write, hash-chained. `seq` is 1, 2, 3, … without gaps; `hash` is
-- the SHA-256 (hex) of a canonical encoding of the row's other columns (the application layer
-- defines it), `prev_hash` the previous row's hash (64 zeros for the first row). Rows are only
-- ever appended, each in the transaction of the write it records; writers take a
-- transaction-scoped advisory lock before reading the head (see store::audit).
CREATE TABLE audit_log (
    seq        bigint PRIMARY KEY,
    -- RFC 3339 UTC
    at         text NOT NULL,
    -- user:NAME, partner:ID or local:NAME
    actor      text COLLATE "C" NOT NULL,
    -- e.g. taxii.add_objects
    action     text COLLATE "C" NOT NULL,
    -- JSON array of strings
    object_ids text NOT NULL,
    -- SHA-256 (hex) of the change
    digest     text NOT NULL,
    prev_hash  text NOT NULL,
    hash       text NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
