-- Jobs: long work (storing a ranking, Monte Carlo, imports) run by a server in the background,
-- with its progress and its outcome. Timestamps are fixed-width RFC 3339 UTC text, so text
-- order is time order.

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    -- what runs: rank, montecarlo, atlas_import, intel_import
    kind         TEXT NOT NULL,
    -- the actor as the audit log names it (user:NAME, partner:ID, local:NAME)
    requested_by TEXT NOT NULL,
    -- queued, running, succeeded or failed
    state        TEXT NOT NULL,
    -- the current stage's name and its steps done of total (NULL: unknown length)
    stage        TEXT NOT NULL DEFAULT '',
    done         INTEGER NOT NULL DEFAULT 0,
    total        INTEGER,
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    -- the server running it last said it was alive then; older than a minute: interrupted
    heartbeat_at TEXT NOT NULL,
    -- the adapter's presentation of the result (succeeded) or of the error (failed)
    result       TEXT,
    error        TEXT
);
CREATE INDEX jobs_requested_by ON jobs (requested_by, id);
CREATE INDEX jobs_live ON jobs (state, heartbeat_at);
