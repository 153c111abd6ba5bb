package io.latchkey.key;

import java.security.Key;

/** A current key and the key material that signs with it: the HMAC secret, or the Ed25519 private key. */
public record KeyForSigning(ActiveKey key, Key signingKey) {

    @Override
    public String toString() {
        return "KeyForSigning[" + key + "]";
    }
}
