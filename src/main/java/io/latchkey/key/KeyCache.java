package io.latchkey.key;

import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.latchkey.cluster.ConsistentCache;
import io.latchkey.common.CanonicalUuid;
import io.latchkey.config.LatchkeyConfig;

/**
 * Current signing keys by kid, in memory, so verifying a token needs no database round trip. A user's keys
 * are dropped when a change names the user (here after commit, everywhere from the change log), and all keys
 * whenever the caches are declared stale.
 */
@ApplicationScoped
public class KeyCache {

    private static final int MAX_UNKNOWN = 10_000;

    @Inject
    KeyService keys;
    @Inject
    ChangeFeed feed;
    @Inject
    LatchkeyConfig config;

    private ConsistentCache<ActiveKey> cache;

    @PostConstruct
    void create() {
        cache = new ConsistentCache<>(feed, config.cache().maxKeys(), MAX_UNKNOWN);
    }

    /**
     * The current key named {@code kid}, if its user exists and is enabled: from memory while the change feed holds
     * its lease, else from the database (on the I/O thread that throws {@link io.latchkey.cluster.NotInMemory}).
     */
    public Optional<ActiveKey> find(String kid) {
        return CanonicalUuid.isCanonical(kid) ? cache.get(kid, this::loadUsable) : Optional.empty();
    }

    /** A key that does not decrypt verifies nothing and is served to no one: here it is as good as unknown. */
    private Optional<ActiveKey> loadUsable(String kid) {
        try {
            return keys.loadActive(kid);
        } catch (UnusableKeyException e) {
            return Optional.empty(); // KeyService has logged it for the operator
        }
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.KEY_RETIRED && change.kid() != null) {
            cache.invalidate(change.kid());
        }
        if (change.userId() != null && change.kind() != Change.Kind.TOKEN_REVOKED) {
            cache.invalidateIf(key -> key.belongsTo(change.userId())); // and whatever else of that user's
        }
    }

    void onStale(@Observes CachesStale stale) {
        cache.clear();
    }
}
