-- The atlas: assets (nodes), dependencies (edges), interned redundancy-group names, and a
-- key/value table for the atlas version that the analysis cache watches.

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

INSERT INTO meta (key, value) VALUES ('atlas_version', '0');

-- List columns (sectors, ncfs, products, tags) and attributes hold JSON exactly as written;
-- sector_mask and ncf_mask are derived from them (bit i = model::sectors()[i] / model::ncfs()[i])
-- so that the graph load and the statistics never parse JSON. Ids use the "C" collation so that
-- they sort by code point, as on SQLite.
CREATE TABLE assets (
    idx            bigint PRIMARY KEY,
    id             text COLLATE "C" NOT NULL,
    name           text NOT NULL,
    kind           text NOT NULL,
    country        text NOT NULL,
    owner          text NOT NULL,
    operator       text NOT NULL,
    sectors        text NOT NULL,
    sector_mask    bigint NOT NULL,
    ncfs           text NOT NULL,
    ncf_mask       bigint NOT NULL,
    lat            double precision,
    lon            double precision,
    products       text NOT NULL,
    weight         double precision,
    exposure       text,
    recovery_hours double precision,
    owner_country  text,
    tags           text NOT NULL,
    attributes     text NOT NULL
);

CREATE UNIQUE INDEX assets_id ON assets (id);

CREATE TABLE dependency_groups (
    id   bigint PRIMARY KEY,
    name text NOT NULL
);

CREATE UNIQUE INDEX dependency_groups_name ON dependency_groups (name);

CREATE TABLE dependencies (
    dependent_idx   bigint NOT NULL,
    provider_idx    bigint NOT NULL,
    kind            text,
    grp             bigint,
    strength        double precision,
    tolerance_hours double precision,
    attributes      text NOT NULL,
    CONSTRAINT dependencies_pkey PRIMARY KEY (dependent_idx, provider_idx),
    CONSTRAINT dependencies_dependent_fk FOREIGN KEY (dependent_idx) REFERENCES assets (idx),
    CONSTRAINT dependencies_provider_fk FOREIGN KEY (provider_idx) REFERENCES assets (idx),
    CONSTRAINT dependencies_grp_fk FOREIGN KEY (grp) REFERENCES dependency_groups (id)
);

CREATE INDEX dependencies_provider ON dependencies (provider_idx);
