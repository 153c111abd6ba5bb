package io.latchkey.key;

import java.security.Key;
import java.util.List;
import java.util.UUID;

import io.latchkey.config.KeyAlgorithm;

/**
 * A user's current key with what verifying a token needs, held in memory: the algorithm it accepts, the key
 * that verifies (the HMAC secret, or the Ed25519 public key) and the user's name and roles as the database has
 * them. Any change of roles or status rotates the key, so these never go stale while the key is current; and a
 * holder of the key (a keys:read client) cannot grant itself roles. An Ed25519 private key is not held here:
 * only signing needs it ({@link KeyService#loadForSigning}).
 */
public record ActiveKey(String kid, UUID userId, String username, List<String> roles, KeyAlgorithm algorithm,
        Key verificationKey) {

    /** This key holding {@code sameKid} (equal to its kid) as its kid. */
    ActiveKey withKid(String sameKid) {
        return kid != sameKid && kid.equals(sameKid) ? new ActiveKey(sameKid, userId, username, roles, algorithm, verificationKey) : this;
    }

    @Override
    public String toString() {
        return "ActiveKey[kid=" + kid + ", userId=" + userId + ", algorithm=" + algorithm + "]";
    }
}
