package io.latchkey.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of text as UTF-8 (client secrets at rest, recently verified tokens as cache keys). */
public final class Sha256 {

    /** One digest per thread: looking one up in the providers costs more than hashing a token (hot path). */
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    });

    private Sha256() {
    }

    public static byte[] of(String text) {
        return DIGEST.get().digest(text.getBytes(StandardCharsets.UTF_8)); // digest() also resets it for the next use
    }
}
