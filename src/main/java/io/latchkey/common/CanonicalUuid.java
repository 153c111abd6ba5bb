package io.latchkey.common;

import java.util.Optional;
import java.util.UUID;

/**
 * The one rule for ids given as text (user ids, kids): only the canonical lower-case form that
 * {@link UUID#toString()} prints. Anything else cannot name a stored row, so it is "no such", never a lookup
 * (which also keeps text PostgreSQL would refuse, like a NUL, away from queries).
 */
public final class CanonicalUuid {

    private static final int LENGTH = 36;

    private CanonicalUuid() {
    }

    public static Optional<UUID> parse(String text) {
        if (text == null || text.length() != LENGTH) {
            return Optional.empty();
        }
        try {
            UUID uuid = UUID.fromString(text);
            return uuid.toString().equals(text) ? Optional.of(uuid) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static boolean isCanonical(String text) {
        return parse(text).isPresent();
    }
}
