package io.latchkey.key;

import java.util.List;
import java.util.UUID;

import io.latchkey.config.KeyAlgorithm;

/**
 * A user's current key as stored, its secret still encrypted, with the user's name and roles: what a login reads
 * before the password hash, and decrypts ({@link KeyService#unseal}) only once the password matched.
 */
public record SealedKey(String kid, UUID userId, String username, List<String> roles, KeyAlgorithm algorithm,
        byte[] secretCiphertext, byte[] publicKey) {

    /** What the ciphertext is bound to. */
    KeyBinding binding() {
        return new KeyBinding(kid, userId, algorithm, publicKey);
    }

    @Override
    public String toString() {
        return "SealedKey[kid=" + kid + ", userId=" + userId + ", algorithm=" + algorithm + "]";
    }
}
