package io.latchkey.client;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A service that calls Latchkey with HTTP Basic; only a hash of its secret is kept. */
@Entity
@Table(name = "clients")
public class Client {

    @Id
    @Column(name = "client_id")
    private String clientId;

    @Column(name = "secret_hash", nullable = false)
    private byte[] secretHash;

    @Column(nullable = false)
    private String[] permissions;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected Client() {
    }

    Client(String clientId, byte[] secretHash, List<Permission> permissions, Instant createdAt) {
        this.clientId = clientId;
        this.secretHash = secretHash;
        this.permissions = permissions.stream().map(Permission::wireName).toArray(String[]::new);
        this.createdAt = createdAt;
    }

    public String clientId() {
        return clientId;
    }

    byte[] secretHash() {
        return secretHash;
    }

    public List<Permission> permissions() {
        return Arrays.stream(permissions).map(Permission::fromWireName).flatMap(java.util.Optional::stream).toList();
    }

    public Instant createdAt() {
        return createdAt;
    }

    @Override
    public String toString() {
        return "Client[clientId=" + clientId + "]";
    }
}
