-- Exchange (§4): partners and their API tokens, TAXII collections, sharing agreements (parties
-- and collection grants in child tables), the STIX object store, TAXII status resources,
-- federation remotes and installation settings. List-valued fields are JSON text; flags are
-- 0/1 integers; timestamps are fixed-width RFC 3339 UTC text, so text order is time order.

CREATE TABLE partners (
    id                     TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    country                TEXT NOT NULL,
    -- JSON arrays of strings
    constituency_countries TEXT NOT NULL,
    constituency_sectors   TEXT NOT NULL,
    -- 1 (highest) .. 3
    trust_tier             INTEGER NOT NULL,
    contacts               TEXT NOT NULL,
    -- Ed25519, 64 hex chars
    public_key             TEXT,
    anonymise              INTEGER NOT NULL,
    created_at             TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE partner_tokens (
    token_id   TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    -- argon2id PHC string of the whole token
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX partner_tokens_partner ON partner_tokens (partner_id);

CREATE TABLE collections (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    -- the newest date_added in the collection ('' when none): the next is never earlier
    last_added  TEXT NOT NULL DEFAULT '',
    -- grows on every change of the collection's objects (caches compare it)
    revision    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE agreements (
    id             TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    -- bilateral or multilateral
    kind           TEXT NOT NULL,
    -- CLEAR, GREEN, AMBER, AMBER+STRICT or RED
    highest_tlp    TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    retention_days INTEGER,
    created_at     TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE agreement_parties (
    agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    -- order as given
    position     INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, partner_id)
) WITHOUT ROWID;
CREATE INDEX agreement_parties_partner ON agreement_parties (partner_id);

CREATE TABLE agreement_grants (
    agreement_id  TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    collection_id TEXT NOT NULL REFERENCES collections (id),
    can_read      INTEGER NOT NULL,
    can_write     INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, collection_id)
) WITHOUT ROWID;
CREATE INDEX agreement_grants_collection ON agreement_grants (collection_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per stored version of a STIX object. `seq` orders a collection's rows (TAXII `next`);
-- `date_added` grows with it. `version_key` is `version` with its fraction padded to 9 digits,
-- so versions of different precision compare and de-duplicate as instants.
CREATE TABLE stix_objects (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id TEXT NOT NULL REFERENCES collections (id),
    object_id     TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    version       TEXT NOT NULL,
    version_key   TEXT NOT NULL,
    date_added    TEXT NOT NULL,
    -- effective TLP of the object's markings; NULL when unmarked
    tlp           TEXT,
    -- JSON array of partner ids
    recipients    TEXT NOT NULL,
    submitter     TEXT,
    source        TEXT,
    -- the object exactly as received
    json          TEXT NOT NULL,
    is_latest     INTEGER NOT NULL,
    is_first      INTEGER NOT NULL
);
CREATE UNIQUE INDEX stix_objects_version ON stix_objects (collection_id, object_id, version_key);
CREATE INDEX stix_objects_seq ON stix_objects (collection_id, seq);
CREATE INDEX stix_objects_latest ON stix_objects (collection_id, seq) WHERE is_latest = 1;
CREATE INDEX stix_objects_added ON stix_objects (collection_id, date_added);

CREATE TABLE taxii_status (
    id                TEXT PRIMARY KEY,
    collection_id     TEXT NOT NULL,
    status            TEXT NOT NULL,
    request_timestamp TEXT NOT NULL,
    total             INTEGER NOT NULL,
    -- JSON arrays: [id, version] / [id, version, message] / [id, version]
    successes         TEXT NOT NULL,
    failures          TEXT NOT NULL,
    pendings          TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE remotes (
    name             TEXT PRIMARY KEY,
    api_root         TEXT NOT NULL,
    collection_id    TEXT NOT NULL,
    local_collection TEXT NOT NULL REFERENCES collections (id),
    user_name        TEXT NOT NULL,
    token            TEXT NOT NULL,
    partner_id       TEXT NOT NULL REFERENCES partners (id),
    pull             INTEGER NOT NULL,
    push             INTEGER NOT NULL,
    pull_cursor      TEXT,
    push_cursor      INTEGER NOT NULL,
    last_sync        TEXT
) WITHOUT ROWID;
