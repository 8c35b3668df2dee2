-- Users (§6): the installation's people with a role, their API tokens, login sessions and the
-- login throttle's failures. Secrets are never stored: passwords and tokens as argon2id PHC
-- strings, sessions under the SHA-256 of their secret. Timestamps are fixed-width RFC 3339 UTC
-- text, so text order is time order.

CREATE TABLE users (
    -- lower case [a-z0-9._-]{1,64}; unique ignoring case (users_name_nocase)
    name          TEXT PRIMARY KEY,
    -- admin, analyst, coordinator or partner
    role          TEXT NOT NULL,
    -- the partner CSIRT of a partner user, NULL for the others
    partner_id    TEXT REFERENCES partners (id),
    -- argon2id PHC string
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX users_name_nocase ON users (lower(name));

CREATE TABLE user_tokens (
    token_id     TEXT PRIMARY KEY,
    user_name    TEXT NOT NULL REFERENCES users (name),
    -- argon2id PHC string of the whole token
    hash         TEXT NOT NULL,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) WITHOUT ROWID;
CREATE INDEX user_tokens_user ON user_tokens (user_name);

CREATE TABLE sessions (
    -- hex SHA-256 of the session secret; the secret itself only the browser holds
    secret_sha256 TEXT PRIMARY KEY,
    user_name     TEXT NOT NULL REFERENCES users (name),
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per failed login, for the throttle; the name as typed (lower-cased), known or not.
CREATE TABLE login_failures (
    user_name TEXT NOT NULL,
    at        TEXT NOT NULL,
    client    TEXT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (user_name, at);
CREATE INDEX login_failures_at ON login_failures (at);
