package io.latchkey.key;

import java.util.UUID;

import javax.crypto.SecretKey;

/** A user's current signing key, decrypted: what verifying a token needs, held in memory. */
public record ActiveKey(String kid, UUID userId, SecretKey secret) {

    @Override
    public String toString() {
        return "ActiveKey[kid=" + kid + ", userId=" + userId + "]";
    }
}
