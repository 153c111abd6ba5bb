package io.latchkey.key;

import java.util.List;
import java.util.UUID;

import javax.crypto.SecretKey;

/**
 * A user's current signing key, decrypted, with the user's name and roles as the database has them: what
 * verifying a token needs, held in memory. Any change of roles or status rotates the key, so these never go
 * stale while the key is current; and a holder of the key (a keys:read client) cannot grant itself roles.
 */
public record ActiveKey(String kid, UUID userId, String username, List<String> roles, SecretKey secret) {

    @Override
    public String toString() {
        return "ActiveKey[kid=" + kid + ", userId=" + userId + "]";
    }
}
