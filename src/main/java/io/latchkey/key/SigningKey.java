package io.latchkey.key;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A signing secret of one user, stored encrypted; at most one per user is current (not retired). */
@Entity
@Table(name = "signing_keys")
public class SigningKey {

    @Id
    private String kid;

    @Column(name = "user_id", nullable = false)
    private UUID userId;

    @Column(name = "secret_ciphertext", nullable = false)
    private byte[] secretCiphertext;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "retired_at")
    private Instant retiredAt;

    protected SigningKey() {
    }

    SigningKey(String kid, UUID userId, byte[] secretCiphertext, Instant createdAt) {
        this.kid = kid;
        this.userId = userId;
        this.secretCiphertext = secretCiphertext;
        this.createdAt = createdAt;
    }

    public String kid() {
        return kid;
    }

    public UUID userId() {
        return userId;
    }

    byte[] secretCiphertext() {
        return secretCiphertext;
    }

    public Instant createdAt() {
        return createdAt;
    }

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid + ", userId=" + userId + ", retiredAt=" + retiredAt + "]";
    }
}
