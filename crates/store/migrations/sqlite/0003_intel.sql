-- Vulnerability intelligence (§3): imported documents kept verbatim with their provenance,
-- SBOMs attached to assets, and the analyst's false positives. Findings are computed from the
-- parsed documents when asked for, so they always reflect the current atlas and documents.

-- kind: kev | cve | epss | csaf | cyclonedx | spdx | openvex. A document is identified by the
-- SHA-256 of its bytes: importing the same bytes again changes nothing.
CREATE TABLE intel_documents (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE UNIQUE INDEX intel_documents_sha256 ON intel_documents (sha256);
CREATE INDEX intel_documents_kind ON intel_documents (kind, id);

-- No foreign key to assets: the bulk load drops the index on assets (id) for its duration.
-- The store checks the asset exists when attaching.
CREATE TABLE sboms (
    asset_id    TEXT NOT NULL,
    document_id INTEGER NOT NULL REFERENCES intel_documents (id),
    attached_at TEXT NOT NULL,
    PRIMARY KEY (asset_id, document_id)
) WITHOUT ROWID;

-- item: the inventory identifier the finding came from (a product string or SBOM component),
-- or '' for every item of the asset.
CREATE TABLE false_positives (
    asset_id  TEXT NOT NULL,
    cve       TEXT NOT NULL,
    item      TEXT NOT NULL,
    note      TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (asset_id, cve, item)
) WITHOUT ROWID;
