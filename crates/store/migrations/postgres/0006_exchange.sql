-- Exchange (§4): partners and their API tokens, TAXII collections, sharing agreements (parties
-- and collection grants in child tables), the STIX object store, TAXII status resources,
-- federation remotes and installation settings. List-valued fields are JSON text; flags are
-- 0/1 integers; timestamps are fixed-width RFC 3339 UTC text, so text order is time order.

CREATE TABLE partners (
    id                     text COLLATE "C" PRIMARY KEY,
    name                   text NOT NULL,
    country                text NOT NULL,
    -- JSON arrays of strings
    constituency_countries text NOT NULL,
    constituency_sectors   text NOT NULL,
    -- 1 (highest) .. 3
    trust_tier             bigint NOT NULL,
    contacts               text NOT NULL,
    -- Ed25519, 64 hex chars
    public_key             text,
    anonymise              bigint NOT NULL,
    created_at             text NOT NULL
);

CREATE TABLE partner_tokens (
    token_id   text COLLATE "C" PRIMARY KEY,
    partner_id text NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    -- argon2id PHC string of the whole token
    hash       text NOT NULL,
    created_at text NOT NULL,
    revoked    bigint NOT NULL DEFAULT 0
);
CREATE INDEX partner_tokens_partner ON partner_tokens (partner_id);

CREATE TABLE collections (
    id          text COLLATE "C" PRIMARY KEY,
    title       text NOT NULL,
    description text NOT NULL,
    created_at  text NOT NULL,
    -- the newest date_added in the collection ('' when none): the next is never earlier
    last_added  text NOT NULL DEFAULT '',
    -- grows on every change of the collection's objects (caches compare it)
    revision    bigint NOT NULL DEFAULT 0
);

CREATE TABLE agreements (
    id             text COLLATE "C" PRIMARY KEY,
    title          text NOT NULL,
    -- bilateral or multilateral
    kind           text NOT NULL,
    -- CLEAR, GREEN, AMBER, AMBER+STRICT or RED
    highest_tlp    text NOT NULL,
    purpose        text NOT NULL,
    retention_days bigint,
    created_at     text NOT NULL
);

CREATE TABLE agreement_parties (
    agreement_id text NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    partner_id   text NOT NULL REFERENCES partners (id),
    -- order as given
    position     bigint NOT NULL,
    PRIMARY KEY (agreement_id, partner_id)
);
CREATE INDEX agreement_parties_partner ON agreement_parties (partner_id);

CREATE TABLE agreement_grants (
    agreement_id  text NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    collection_id text NOT NULL REFERENCES collections (id),
    can_read      bigint NOT NULL,
    can_write     bigint NOT NULL,
    position      bigint NOT NULL,
    PRIMARY KEY (agreement_id, collection_id)
);
CREATE INDEX agreement_grants_collection ON agreement_grants (collection_id);

CREATE TABLE settings (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);

-- One row per stored version of a STIX object. `seq` orders a collection's rows (TAXII `next`);
-- `date_added` grows with it. `version_key` is `version` with its fraction padded to 9 digits,
-- so versions of different precision compare and de-duplicate as instants.
CREATE TABLE stix_objects (
    seq           bigserial PRIMARY KEY,
    collection_id text COLLATE "C" NOT NULL REFERENCES collections (id),
    object_id     text COLLATE "C" NOT NULL,
    object_type   text COLLATE "C" NOT NULL,
    spec_version  text COLLATE "C" NOT NULL,
    version       text COLLATE "C" NOT NULL,
    version_key   text COLLATE "C" NOT NULL,
    date_added    text COLLATE "C" NOT NULL,
    -- effective TLP of the object's markings; NULL when unmarked
    tlp           text,
    -- JSON array of partner ids
    recipients    text NOT NULL,
    submitter     text,
    source        text,
    -- the object exactly as received
    json          text NOT NULL,
    is_latest     bigint NOT NULL,
    is_first      bigint NOT NULL
);
CREATE UNIQUE INDEX stix_objects_version ON stix_objects (collection_id, object_id, version_key);
CREATE INDEX stix_objects_seq ON stix_objects (collection_id, seq);
CREATE INDEX stix_objects_latest ON stix_objects (collection_id, seq) WHERE is_latest = 1;
CREATE INDEX stix_objects_added ON stix_objects (collection_id, date_added, seq);

CREATE TABLE taxii_status (
    id                text COLLATE "C" PRIMARY KEY,
    collection_id     text NOT NULL,
    status            text NOT NULL,
    request_timestamp text NOT NULL,
    total             bigint NOT NULL,
    -- JSON arrays: [id, version] / [id, version, message] / [id, version]
    successes         text NOT NULL,
    failures          text NOT NULL,
    pendings          text NOT NULL
);

CREATE TABLE remotes (
    name             text COLLATE "C" PRIMARY KEY,
    api_root         text NOT NULL,
    collection_id    text NOT NULL,
    local_collection text NOT NULL REFERENCES collections (id),
    user_name        text NOT NULL,
    token            text NOT NULL,
    partner_id       text NOT NULL REFERENCES partners (id),
    pull             bigint NOT NULL,
    push             bigint NOT NULL,
    pull_cursor      text,
    push_cursor      bigint NOT NULL,
    last_sync        text
);
