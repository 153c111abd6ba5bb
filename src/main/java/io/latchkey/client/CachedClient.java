package io.latchkey.client;

import java.util.Set;

/** What authenticating a client needs, held in memory: its id, the SHA-256 of its secret, its permissions. */
public record CachedClient(String clientId, byte[] secretHash, Set<Permission> permissions) {
    @Override
    public String toString() {
        return "CachedClient[clientId=" + clientId + "]";
    }
}
