package io.latchkey.key;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.latchkey.config.KeyAlgorithm;

/**
 * A signing key of one user: the secret (HMAC secret or Ed25519 private key) stored encrypted, an Ed25519 key's
 * public half in the clear; at most one per user is current (not retired).
 */
@Entity
@Table(name = "signing_keys")
public class SigningKey {

    @Id
    private String kid;

    @Column(name = "user_id", nullable = false)
    private UUID userId;

    @Column(name = "secret_ciphertext", nullable = false)
    private byte[] secretCiphertext;

    @Enumerated(EnumType.STRING)
    @Column(name = "algorithm", nullable = false)
    private KeyAlgorithm algorithm;

    /** X.509 encoding of an Ed25519 public key; null for HMAC. */
    @Column(name = "public_key")
    private byte[] publicKey;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "retired_at")
    private Instant retiredAt;

    protected SigningKey() {
    }

    SigningKey(String kid, UUID userId, KeyAlgorithm algorithm, byte[] secretCiphertext, byte[] publicKey,
            Instant createdAt) {
        this.kid = kid;
        this.userId = userId;
        this.algorithm = algorithm;
        this.secretCiphertext = secretCiphertext;
        this.publicKey = publicKey;
        this.createdAt = createdAt;
    }

    public String kid() {
        return kid;
    }

    public UUID userId() {
        return userId;
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    byte[] secretCiphertext() {
        return secretCiphertext;
    }

    byte[] publicKey() {
        return publicKey;
    }

    /** What this row's ciphertext is bound to. */
    KeyBinding binding() {
        return new KeyBinding(kid, userId, algorithm, publicKey);
    }

    void rebound(byte[] ciphertext) {
        this.secretCiphertext = ciphertext;
    }

    public Instant createdAt() {
        return createdAt;
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid + ", userId=" + userId + ", algorithm=" + algorithm + ", retiredAt=" + retiredAt + "]";
    }
}
