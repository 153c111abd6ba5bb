-- The change log (issue 9): every change that can invalidate a token, in commit order. Writers take a
-- transaction-level advisory lock before inserting, so a row's seq is drawn, and committed, after every lower one:
-- a reader that has seen seq N never later finds a row below N. NOTIFY carries only the seq; instances read the
-- rows themselves, and read every row they missed after a reconnect. Rows older than the longest token lifetime
-- plus clock skew are pruned (the newest row is always kept, so the log says how far back it reaches).
CREATE TABLE change_log (
    seq          bigserial   PRIMARY KEY,
    kind         text        NOT NULL,
    user_id      uuid,
    kid          text,
    jti          text,
    client_id    text,
    expires_at   bigint,
    committed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_committed_at_idx ON change_log (committed_at);
