package io.latchkey.token;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

import io.latchkey.common.Sha256;
import io.latchkey.key.ActiveKey;

/**
 * Tokens that passed the full check recently, by SHA-256 of the token, with the key they were checked against.
 * A gateway presents the same token many times; a hit skips parsing and the signature, never the rules that
 * can change (expiry, the key still being current, revocation): {@link TokenVerifier} re-checks those. Keyed by
 * digest so that a look-up reveals nothing about stored tokens through timing. Bounded: cleared when full.
 */
final class RecentlyVerified {

    record Entry(VerifiedToken token, ActiveKey key) {
    }

    private static final int MAX_ENTRIES = 10_000;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    static String digestOf(String token) {
        return new String(Sha256.of(token), StandardCharsets.ISO_8859_1);
    }

    Entry get(String digest) {
        return entries.get(digest);
    }

    void remember(String digest, Entry entry) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(digest, entry);
    }

    void forget(String digest) {
        entries.remove(digest);
    }
}
