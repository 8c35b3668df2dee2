-- Saved scenarios and the history of priority rankings.
CREATE TABLE scenarios (
    name TEXT PRIMARY KEY,
    -- model::Scenario as JSON (description, assets, countries, circles)
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE ranking_runs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    atlas_version INTEGER NOT NULL,
    home TEXT NOT NULL
);

CREATE TABLE ranking_entries (
    run_id INTEGER NOT NULL REFERENCES ranking_runs (id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    asset_id TEXT NOT NULL,
    impact REAL NOT NULL,
    exposure REAL NOT NULL,
    threat REAL NOT NULL,
    priority REAL NOT NULL,
    PRIMARY KEY (run_id, rank)
) WITHOUT ROWID;
CREATE INDEX ranking_entries_asset ON ranking_entries (asset_id, run_id);
