-- Clients: services that call Latchkey with HTTP Basic. Only the SHA-256 of the (256-bit random) secret is kept.
CREATE TABLE clients (
    client_id   text        PRIMARY KEY,
    secret_hash bytea       NOT NULL,
    permissions text[]      NOT NULL,
    created_at  timestamptz NOT NULL
);
