package io.latchkey.client;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A service that calls Latchkey with HTTP Basic; only a hash of its secret is kept. */
@Entity
@Table(name = "clients")
public class Client {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

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

    /** The one rule for client ids: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'. */
    public static boolean isValidId(String clientId) {
        return clientId != null && ID.matcher(clientId).matches();
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
