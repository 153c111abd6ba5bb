package io.latchkey.key;

import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ConsistentCache;
import io.latchkey.common.CanonicalUuid;
import io.latchkey.config.LatchkeyConfig;

/**
 * Current signing keys by kid, in memory, so verifying a token needs no database round trip. A user's keys
 * are dropped when the user changes (here after commit, elsewhere by NOTIFY), and all keys whenever the
 * change feed declares the caches stale.
 */
@ApplicationScoped
public class KeyCache {

    private static final int MAX_UNKNOWN = 10_000;

    @Inject
    KeyService keys;
    @Inject
    LatchkeyConfig config;

    private ConsistentCache<ActiveKey> cache;

    @PostConstruct
    void create() {
        cache = new ConsistentCache<>(config.cache().maxKeys(), MAX_UNKNOWN);
    }

    /** The current key named {@code kid}, if its user exists and is enabled. Queries the database on a miss. */
    public Optional<ActiveKey> find(String kid) {
        return CanonicalUuid.isCanonical(kid) ? cache.get(kid, keys::loadActive) : Optional.empty();
    }

    /** As {@link #find}, from memory only: throws {@link io.latchkey.cluster.NotInMemory} on a miss. */
    public Optional<ActiveKey> findInMemory(String kid) {
        return CanonicalUuid.isCanonical(kid) ? cache.getInMemory(kid) : Optional.empty();
    }

    /** {@link #findInMemory} or {@link #find}. */
    public Optional<ActiveKey> find(String kid, boolean memoryOnly) {
        return memoryOnly ? findInMemory(kid) : find(kid);
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.USER) {
            UUID userId = UUID.fromString(change.subject());
            cache.invalidateIf(key -> key.userId().equals(userId));
        }
    }

    void onStale(@Observes CachesStale stale) {
        cache.clear();
    }
}
