-- Intel feeds for `meridian intel sync` (§3): the configured feed URLs, and per URL fetched
-- (configured or given on the command line) the validators of the last successful fetch, sent
-- back as `If-None-Match` / `If-Modified-Since` ('' when the response had no such header).

CREATE TABLE feeds (
    name     TEXT PRIMARY KEY,
    url      TEXT NOT NULL,
    added_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE feed_state (
    url           TEXT PRIMARY KEY,
    etag          TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    fetched_at    TEXT NOT NULL
) WITHOUT ROWID;
