package io.latchkey.user;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

import io.latchkey.error.Refusal;

/**
 * The one rule for usernames: Unicode NFKC (so full-width and other compatibility forms fold), lower-cased with {@link Locale#ROOT} (never the default locale),
 * 1 to 64 UTF-8 bytes, no control, format or space characters and no ':' (it would break HTTP Basic).
 */
public final class Usernames {

    static final int MAX_BYTES = 64;

    private Usernames() {
    }

    /**
     * The folded form of {@code raw}: NFKC, then lower case in {@link Locale#ROOT}. Two names that fold alike
     * are the same user; anything keyed by username (storage, throttling) keys by this.
     */
    public static String fold(String raw) {
        return Normalizer.normalize(raw, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** The stored form of {@code raw}, or an invalid_request refusal saying why it cannot be a username. */
    public static String normalize(String raw) {
        String name = raw == null ? "" : fold(raw);
        problem(name).ifPresent(problem -> {
            throw Refusal.invalidRequest(problem);
        });
        return name;
    }

    /** The stored form of {@code raw}, or empty when no user can have that name. */
    public static Optional<String> parse(String raw) {
        String name = raw == null ? "" : fold(raw);
        return problem(name).isEmpty() ? Optional.of(name) : Optional.empty();
    }

    private static Optional<String> problem(String folded) {
        if (folded.isEmpty()) {
            return Optional.of("The username is missing.");
        }
        if (folded.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("The username is longer than " + MAX_BYTES + " bytes.");
        }
        if (!folded.codePoints().allMatch(Usernames::allowed)) {
            return Optional.of("The username contains a character that is not allowed.");
        }
        return Optional.empty();
    }

    private static boolean allowed(int c) {
        int type = Character.getType(c);
        return c != ':' && !Character.isWhitespace(c) && !Character.isSpaceChar(c)
                && type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE
                && type != Character.UNASSIGNED && type != Character.PRIVATE_USE;
    }
}
