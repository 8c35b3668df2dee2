-- Each asset's tags as rows (the JSON `tags` column, each tag once), so that the assets with a
-- tag (the map's chokepoints, cables and landing stations) are found by index instead of by
-- parsing every row's JSON. The store derives the rows from `tags` in the transaction that
-- writes the asset (import, bulk load, clear). No foreign key: the bulk load fills the table
-- with one INSERT … SELECT from `assets`, which cannot name a missing asset, and row-by-row
-- checks would dominate it.
CREATE TABLE asset_tags (
    tag       text COLLATE "C" NOT NULL,
    asset_idx bigint NOT NULL,
    PRIMARY KEY (tag, asset_idx)
);

CREATE INDEX asset_tags_asset ON asset_tags (asset_idx);

INSERT INTO asset_tags (tag, asset_idx)
SELECT j.tag, a.idx FROM assets a CROSS JOIN LATERAL jsonb_array_elements_text(a.tags::jsonb) AS j (tag)
ON CONFLICT DO NOTHING;
