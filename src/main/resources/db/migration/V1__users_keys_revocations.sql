-- Users: the username is stored normalised (NFC, lower-cased) by the service; the index on lower() keeps
-- uniqueness case-insensitive even for rows written by hand.
CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    username      text        NOT NULL CONSTRAINT users_username_key UNIQUE,
    password_hash text        NOT NULL,
    roles         text[]      NOT NULL DEFAULT '{}',
    enabled       boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE INDEX users_created_at_idx ON users (created_at, id);

-- Signing keys: one current (retired_at IS NULL) per user; the secret is AES-GCM ciphertext under the
-- master key, which is never stored here.
CREATE TABLE signing_keys (
    kid               text        PRIMARY KEY,
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_ciphertext bytea       NOT NULL,
    created_at        timestamptz NOT NULL,
    retired_at        timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_current_per_user ON signing_keys (user_id) WHERE retired_at IS NULL;
CREATE INDEX signing_keys_user_idx ON signing_keys (user_id);

-- Revoked tokens (logout), kept until the token would have expired.
CREATE TABLE revoked_tokens (
    jti        text        PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expires_at_idx ON revoked_tokens (expires_at);
