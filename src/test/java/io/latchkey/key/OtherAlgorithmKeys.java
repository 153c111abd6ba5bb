package io.latchkey.key;

import java.util.UUID;

import io.latchkey.config.KeyAlgorithm;
import io.quarkus.narayana.jta.QuarkusTransaction;

/** For tests outside this package: a user's key rotated to an algorithm this instance is not configured for. */
public final class OtherAlgorithmKeys {

    private OtherAlgorithmKeys() {
    }

    /** Rotates {@code userId}'s key as an instance configured for {@code algorithm} would. */
    public static void rotate(KeyService keys, UUID userId, KeyAlgorithm algorithm) {
        QuarkusTransaction.requiringNew().run(() -> keys.rotate(userId, algorithm));
    }
}
