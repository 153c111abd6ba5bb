package io.latchkey.token;

import java.util.List;
import java.util.UUID;

/** A token that passed every rule of the contract, with the claims callers need. */
public record VerifiedToken(String jti, UUID userId, String username, List<String> roles, String issuer,
        List<String> audience, long expiresAt, long issuedAt, long notBefore, String kid) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
