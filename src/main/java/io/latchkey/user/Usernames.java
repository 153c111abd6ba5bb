package io.latchkey.user;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

import io.latchkey.web.ApiException;

/**
 * The one rule for usernames: Unicode NFKC (so full-width and other compatibility forms fold), lower-cased with {@link Locale#ROOT} (never the default locale),
 * 1 to 64 UTF-8 bytes, no control, format or space characters and no ':' (it would break HTTP Basic).
 */
public final class Usernames {

    static final int MAX_BYTES = 64;

    private Usernames() {
    }

    /** The stored form of {@code raw}, or a 400 when it cannot be a username. */
    public static String normalize(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw ApiException.invalidRequest("The username is missing.");
        }
        String name = Normalizer.normalize(raw, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiException.invalidRequest("The username is longer than " + MAX_BYTES + " bytes.");
        }
        if (!name.codePoints().allMatch(Usernames::allowed)) {
            throw ApiException.invalidRequest("The username contains a character that is not allowed.");
        }
        return name;
    }

    private static boolean allowed(int c) {
        int type = Character.getType(c);
        return c != ':' && !Character.isWhitespace(c) && !Character.isSpaceChar(c)
                && type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE
                && type != Character.UNASSIGNED && type != Character.PRIVATE_USE;
    }
}
