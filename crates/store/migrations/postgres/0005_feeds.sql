-- Intel feeds for `meridian intel sync` (§3): the configured feed URLs, and per URL fetched
-- (configured or given on the command line) the validators of the last successful fetch, sent
-- back as `If-None-Match` / `If-Modified-Since` ('' when the response had no such header).

CREATE TABLE feeds (
    name     text COLLATE "C" PRIMARY KEY,
    url      text NOT NULL,
    added_at text NOT NULL
);

CREATE TABLE feed_state (
    url           text COLLATE "C" PRIMARY KEY,
    etag          text NOT NULL,
    last_modified text NOT NULL,
    fetched_at    text NOT NULL
);
