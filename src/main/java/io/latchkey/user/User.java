package io.latchkey.user;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A person or service account that logs in. The username is stored normalised (see {@link Usernames}). */
@Entity
@Table(name = "users")
public class User {

    @Id
    private UUID id;

    @Column(nullable = false, unique = true)
    private String username;

    @Column(name = "password_hash", nullable = false)
    private String passwordHash;

    @Column(nullable = false)
    private String[] roles;

    @Column(nullable = false)
    private boolean enabled;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected User() {
    }

    User(UUID id, String username, String passwordHash, List<String> roles, Instant now) {
        this.id = id;
        this.username = username;
        this.passwordHash = passwordHash;
        this.roles = roles.toArray(String[]::new);
        this.enabled = true;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public UUID id() {
        return id;
    }

    public String username() {
        return username;
    }

    public List<String> roles() {
        return List.of(roles);
    }

    public boolean enabled() {
        return enabled;
    }

    public Instant createdAt() {
        return createdAt;
    }

    void setEnabled(boolean enabled, Instant now) {
        this.enabled = enabled;
        this.updatedAt = now;
    }

    void setRoles(List<String> roles, Instant now) {
        this.roles = roles.toArray(String[]::new);
        this.updatedAt = now;
    }

    void setPasswordHash(String passwordHash, Instant now) {
        this.passwordHash = passwordHash;
        this.updatedAt = now;
    }

    @Override
    public String toString() {
        return "User[id=" + id + ", username=" + username + ", enabled=" + enabled + "]";
    }
}
