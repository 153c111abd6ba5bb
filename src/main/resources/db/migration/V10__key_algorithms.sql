-- Keys of two kinds side by side: HS256 (secret_ciphertext holds the HMAC secret) and EdDSA (secret_ciphertext
-- holds the Ed25519 private key, PKCS#8; public_key its X.509 public key). Existing keys are HS256.
ALTER TABLE signing_keys ADD COLUMN algorithm text NOT NULL DEFAULT 'HS256'
    CONSTRAINT signing_keys_algorithm_known CHECK (algorithm IN ('HS256', 'EdDSA'));
ALTER TABLE signing_keys ADD COLUMN public_key bytea;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_public_key_when_asymmetric
    CHECK ((algorithm = 'HS256') = (public_key IS NULL));
