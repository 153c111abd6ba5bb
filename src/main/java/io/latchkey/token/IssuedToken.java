package io.latchkey.token;

import java.time.Instant;

/** A freshly signed token and when it expires. */
public record IssuedToken(String token, Instant expiresAt) {

    @Override
    public String toString() {
        return "IssuedToken[expiresAt=" + expiresAt + "]";
    }
}
