-- Saved scenarios and the history of priority rankings.
CREATE TABLE scenarios (
    name text PRIMARY KEY,
    -- model::Scenario as JSON (description, assets, countries, circles)
    definition text NOT NULL,
    updated_at text NOT NULL
);

CREATE TABLE ranking_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at text NOT NULL,
    atlas_version bigint NOT NULL,
    home text NOT NULL
);

CREATE TABLE ranking_entries (
    run_id bigint NOT NULL REFERENCES ranking_runs (id) ON DELETE CASCADE,
    rank bigint NOT NULL,
    asset_id text NOT NULL,
    impact double precision NOT NULL,
    exposure double precision NOT NULL,
    threat double precision NOT NULL,
    priority double precision NOT NULL,
    PRIMARY KEY (run_id, rank)
);
CREATE INDEX ranking_entries_asset ON ranking_entries (asset_id, run_id);
