package io.latchkey.cluster;

import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * A change that every instance must apply to its in-memory state: a row of the change log, written in the
 * transaction that makes the change, applied on this instance right after commit and on every instance (this
 * one included) in sequence order from the log. {@code seq} is 0 until the row is written.
 */
public record Change(long seq, Kind kind, UUID userId, String kid, String jti, String clientId, long expiresAt) {

    public enum Kind {
        /** A signing key is no longer current (rotation, password or role change, disable, delete). */
        KEY_RETIRED("key.retired", true),
        /** One token id is revoked until {@code expiresAt} (epoch seconds): logout, or a session ended. */
        TOKEN_REVOKED("token.revoked", true),
        USER_DISABLED("user.disabled", true),
        USER_DELETED("user.deleted", true),
        /** A client was created, deleted or changed: not published to verifiers. */
        CLIENT_CHANGED("client.changed", false);

        private final String wireName;
        private final boolean streamed;

        Kind(String wireName, boolean streamed) {
            this.wireName = wireName;
            this.streamed = streamed;
        }

        public String wireName() {
            return wireName;
        }

        /** Whether verifiers are told of it ({@code GET /events}). */
        public boolean streamed() {
            return streamed;
        }

        /** Empty for a kind this version does not know (written by a newer instance). */
        public static Optional<Kind> fromWireName(String name) {
            return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
        }
    }

    public static Change keyRetired(String kid, UUID userId) {
        return new Change(0, Kind.KEY_RETIRED, userId, kid, null, null, 0);
    }

    public static Change tokenRevoked(String jti, UUID userId, long expiresAt) {
        return new Change(0, Kind.TOKEN_REVOKED, userId, null, jti, null, expiresAt);
    }

    public static Change userDisabled(UUID userId) {
        return new Change(0, Kind.USER_DISABLED, userId, null, null, null, 0);
    }

    public static Change userDeleted(UUID userId) {
        return new Change(0, Kind.USER_DELETED, userId, null, null, null, 0);
    }

    public static Change clientChanged(String clientId) {
        return new Change(0, Kind.CLIENT_CHANGED, null, null, null, clientId, 0);
    }

    Change withSeq(long assigned) {
        return new Change(assigned, kind, userId, kid, jti, clientId, expiresAt);
    }
}
