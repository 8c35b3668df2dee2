-- Coordination (§5): the register of international activities and the other records the
-- Measures of Effectiveness are computed from, deconfliction flags and the annual plan's targets.
-- A record is kind-tagged: the columns every kind shares are indexed, the kind's own fields are
-- one JSON document validated by the application layer. Dates are YYYY-MM-DD, so text order is
-- time order.

CREATE TABLE coord_records (
    -- <PREFIX>-NNNNNN, the prefix naming the kind (ACT, ACN, SVC, ...)
    id         TEXT PRIMARY KEY,
    -- activity, action, service, training, trainer, survey, workforce, governance, standard,
    -- sbd, engagement
    kind       TEXT NOT NULL,
    -- the office responsible (the lead office of an activity)
    office     TEXT NOT NULL,
    -- when the record starts and ends (the same day for one-day records)
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL,
    -- the kind's fields, JSON
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX coord_records_kind_date ON coord_records (kind, start_date);

CREATE TABLE deconflict_flags (
    id          TEXT PRIMARY KEY,
    -- the two activities, a < b
    activity_a  TEXT NOT NULL,
    activity_b  TEXT NOT NULL,
    -- overlap, window or duplicate
    reason      TEXT NOT NULL,
    -- what the flag says, in words
    detail      TEXT NOT NULL,
    -- SHA-256 of (a, b, reason, shared partner or country): a resolved flag stays resolved while
    -- the activities keep giving the same fingerprint
    fingerprint TEXT NOT NULL UNIQUE,
    -- open or resolved
    status      TEXT NOT NULL,
    -- merge or keep, once resolved
    resolution  TEXT,
    note        TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    detected_at TEXT NOT NULL
);

CREATE TABLE measure_targets (
    -- 1.1a, 2.3d, ...
    measure TEXT NOT NULL,
    -- 2026Q3
    quarter TEXT NOT NULL,
    target  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (measure, quarter)
);
