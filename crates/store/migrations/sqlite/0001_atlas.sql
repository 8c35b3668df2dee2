-- The atlas: assets (nodes), dependencies (edges), interned redundancy-group names, and a
-- key/value table for the atlas version that the analysis cache watches.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (key, value) VALUES ('atlas_version', '0');

-- List columns (sectors, ncfs, products, tags) and attributes hold JSON exactly as written;
-- sector_mask and ncf_mask are derived from them (bit i = model::sectors()[i] / model::ncfs()[i])
-- so that the graph load and the statistics never parse JSON.
CREATE TABLE assets (
    idx            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    country        TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    operator       TEXT    NOT NULL,
    sectors        TEXT    NOT NULL,
    sector_mask    INTEGER NOT NULL,
    ncfs           TEXT    NOT NULL,
    ncf_mask       INTEGER NOT NULL,
    lat            REAL,
    lon            REAL,
    products       TEXT    NOT NULL,
    weight         REAL,
    exposure       TEXT,
    recovery_hours REAL,
    owner_country  TEXT,
    tags           TEXT    NOT NULL,
    attributes     TEXT    NOT NULL
);

CREATE UNIQUE INDEX assets_id ON assets (id);

CREATE TABLE dependency_groups (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE UNIQUE INDEX dependency_groups_name ON dependency_groups (name);

CREATE TABLE dependencies (
    dependent_idx   INTEGER NOT NULL REFERENCES assets (idx),
    provider_idx    INTEGER NOT NULL REFERENCES assets (idx),
    kind            TEXT,
    grp             INTEGER REFERENCES dependency_groups (id),
    strength        REAL,
    tolerance_hours REAL,
    attributes      TEXT NOT NULL,
    PRIMARY KEY (dependent_idx, provider_idx)
) WITHOUT ROWID;

CREATE INDEX dependencies_provider ON dependencies (provider_idx);
