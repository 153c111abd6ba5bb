-- One row per issued token (issue 11 §6), so a user can see where they are logged in and end one session.
-- A session is active while its token could pass: not expired, not revoked (a revoked_tokens row: logout, or DELETE of the session),
-- and signed with the user's current key (rotation, disable, a password or role change retire it; deleting
-- the user deletes the rows). Expired rows are pruned.
CREATE TABLE sessions (
    jti        text        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kid        text        NOT NULL,
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    address    text        NOT NULL,
    user_agent text
);
CREATE INDEX sessions_user_id_issued_at_idx ON sessions (user_id, issued_at DESC);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
