-- What start-up reads of the signing keys, by index: with a scan of every key each, a start took longer with every
-- user (three scans, about 0.4 s at 1,000,000 users). The first two indexes hold only rows that a current
-- database has none or few of, so they cost a write nothing; the third one entry per current key.
-- Keys still in the version 1 format (KeyCiphertextRebinding rewrites them).
CREATE INDEX signing_keys_legacy_format ON signing_keys (kid) WHERE get_byte(secret_ciphertext, 0) = 1;
-- Current keys whose kids predate the tagged ones (Kids.readUntagged).
CREATE INDEX signing_keys_current_untagged ON signing_keys (kid)
    WHERE retired_at IS NULL AND kid NOT LIKE '______________8%';
-- Whether any current key has a given algorithm (KeyService.noteAlgorithmsInUse).
CREATE INDEX signing_keys_current_algorithm ON signing_keys (algorithm) WHERE retired_at IS NULL;
