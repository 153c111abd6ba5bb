package io.latchkey.token;

import java.time.Instant;

/** A freshly signed token, its id (the session's key) and when it expires. */
public record IssuedToken(String token, String jti, Instant expiresAt) {

    @Override
    public String toString() {
        return "IssuedToken[expiresAt=" + expiresAt + "]";
    }
}
