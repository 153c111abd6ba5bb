-- Failed-login counts, shared by every instance (issue 11). UNLOGGED: not written to the WAL, so cheap to update
-- on every login; a crash of PostgreSQL empties the table, which only resets the counts (see README).
-- scope: 'p' (username, address), 'a' address (IPv6 per /64), 'u' username. A count holds until window_ends;
-- the attempt that reaches the limit moves window_ends to a full window later (the lockout).
CREATE UNLOGGED TABLE login_attempts (
    scope       char(1)     NOT NULL,
    key         text        NOT NULL,
    count       integer     NOT NULL,
    window_ends timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_attempts_window_ends_idx ON login_attempts (window_ends);

-- Where each user logged in successfully (IPv6 per /64): exempt from the per-username limit, so a botnet
-- grinding an account does not lock its owner out. A few per user, forgotten after a while.
CREATE TABLE login_known_addresses (
    username     text        NOT NULL, -- SHA-256 (hex) of the folded username
    address      text        NOT NULL,
    last_success timestamptz NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX login_known_addresses_last_success_idx ON login_known_addresses (last_success);
