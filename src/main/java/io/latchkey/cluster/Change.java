package io.latchkey.cluster;

import java.util.Optional;
import java.util.UUID;

/**
 * A change that every instance must apply to its in-memory state: published in the database transaction
 * that makes it, delivered to this instance after commit and to every other one by PostgreSQL NOTIFY.
 */
public record Change(Kind kind, String subject, long expiresAt) {

    public enum Kind {
        /** A user's keys, status or existence changed: tokens signed with keys cached for it are suspect. */
        USER,
        /** A token id was revoked until {@code expiresAt} (epoch seconds). */
        REVOKED,
        /** A client was changed or deleted. */
        CLIENT
    }

    public static Change user(UUID userId) {
        return new Change(Kind.USER, userId.toString(), 0);
    }

    public static Change revoked(String jti, long expiresAt) {
        return new Change(Kind.REVOKED, jti, expiresAt);
    }

    public static Change client(String clientId) {
        return new Change(Kind.CLIENT, clientId, 0);
    }

    String toPayload() {
        return kind.name() + ":" + expiresAt + ":" + subject;
    }

    /** Empty for a payload this version does not understand (e.g. from a newer instance). */
    static Optional<Change> fromPayload(String payload) {
        String[] parts = payload.split(":", 3);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Change(Kind.valueOf(parts[0]), parts[2], Long.parseLong(parts[1])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
