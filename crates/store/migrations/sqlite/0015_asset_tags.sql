-- Each asset's tags as rows (the JSON `tags` column, each tag once), so that the assets with a
-- tag (the map's chokepoints, cables and landing stations) are found by index instead of by
-- parsing every row's JSON. The store derives the rows from `tags` in the transaction that
-- writes the asset (import, bulk load, clear). No foreign key: the bulk load fills the table
-- with one INSERT … SELECT from `assets`, which cannot name a missing asset.
CREATE TABLE asset_tags (
    tag       TEXT    NOT NULL,
    asset_idx INTEGER NOT NULL,
    PRIMARY KEY (tag, asset_idx)
) WITHOUT ROWID;

CREATE INDEX asset_tags_asset ON asset_tags (asset_idx);

-- The WHERE keeps SQLite from reading ON CONFLICT as a join constraint.
INSERT INTO asset_tags (tag, asset_idx)
SELECT j.value, a.idx FROM assets a, json_each(a.tags) j WHERE true
ON CONFLICT DO NOTHING;
