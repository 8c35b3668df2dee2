-- Users (§6): the installation's people with a role, their API tokens, login sessions and the
-- login throttle's failures. Secrets are never stored: passwords and tokens as argon2id PHC
-- strings, sessions under the SHA-256 of their secret. Timestamps are fixed-width RFC 3339 UTC
-- text, so text order is time order.

CREATE TABLE users (
    -- lower case [a-z0-9._-]{1,64}; unique ignoring case (users_name_nocase)
    name          text COLLATE "C" PRIMARY KEY,
    -- admin, analyst, coordinator or partner
    role          text NOT NULL,
    -- the partner CSIRT of a partner user, NULL for the others
    partner_id    text REFERENCES partners (id),
    -- argon2id PHC string
    password_hash text NOT NULL,
    disabled      bigint NOT NULL DEFAULT 0,
    created_at    text NOT NULL
);
CREATE UNIQUE INDEX users_name_nocase ON users (lower(name));

CREATE TABLE user_tokens (
    token_id     text COLLATE "C" PRIMARY KEY,
    user_name    text NOT NULL REFERENCES users (name),
    -- argon2id PHC string of the whole token
    hash         text NOT NULL,
    label        text NOT NULL,
    created_at   text NOT NULL,
    last_used_at text,
    revoked_at   text
);
CREATE INDEX user_tokens_user ON user_tokens (user_name);

CREATE TABLE sessions (
    -- hex SHA-256 of the session secret; the secret itself only the browser holds
    secret_sha256 text COLLATE "C" PRIMARY KEY,
    user_name     text NOT NULL REFERENCES users (name),
    csrf          text NOT NULL,
    created_at    text COLLATE "C" NOT NULL,
    expires_at    text COLLATE "C" NOT NULL,
    last_seen_at  text COLLATE "C" NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per failed login, for the throttle; the name as typed (lower-cased), known or not.
CREATE TABLE login_failures (
    user_name text COLLATE "C" NOT NULL,
    at        text COLLATE "C" NOT NULL,
    client    text NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (user_name, at);
CREATE INDEX login_failures_at ON login_failures (at);
