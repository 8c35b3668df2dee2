-- Jobs: long work (storing a ranking, Monte Carlo, imports) run by a server in the background,
-- with its progress and its outcome. Timestamps are fixed-width RFC 3339 UTC text, so text
-- order is time order.

CREATE TABLE jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- what runs: rank, montecarlo, atlas_import, intel_import
    kind         text NOT NULL,
    -- the actor as the audit log names it (user:NAME, partner:ID, local:NAME)
    requested_by text COLLATE "C" NOT NULL,
    -- queued, running, succeeded or failed
    state        text COLLATE "C" NOT NULL,
    -- the current stage's name and its steps done of total (NULL: unknown length)
    stage        text NOT NULL DEFAULT '',
    done         bigint NOT NULL DEFAULT 0,
    total        bigint,
    created_at   text COLLATE "C" NOT NULL,
    started_at   text COLLATE "C",
    finished_at  text COLLATE "C",
    -- the server running it last said it was alive then; older than a minute: interrupted
    heartbeat_at text COLLATE "C" NOT NULL,
    -- the adapter's presentation of the result (succeeded) or of the error (failed)
    result       text,
    error        text
);
CREATE INDEX jobs_requested_by ON jobs (requested_by, id);
CREATE INDEX jobs_live ON jobs (state, heartbeat_at);
