-- V1's comment says usernames are stored NFC; the service stores them NFKC, then lower-cased (Usernames.fold).
-- A landed migration is never edited (Flyway's checksum covers its comments too), so the truth is recorded here.
COMMENT ON COLUMN users.username IS
    'Stored folded by the service: Unicode NFKC, then lower-cased with Locale.ROOT (io.latchkey.user.Usernames).';
