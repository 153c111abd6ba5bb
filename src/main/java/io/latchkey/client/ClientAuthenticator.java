package io.latchkey.client;

import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.latchkey.cluster.ConsistentCache;
import io.latchkey.common.Sha256;

/**
 * Client authentication on the hot path (introspection, key fetch): clients are cached in memory like keys, and
 * a secret is checked against its stored SHA-256 in constant time. A fast hash is enough for a secret that cannot
 * be guessed (slow hashes are for low-entropy passwords), and it keeps this path cheap.
 */
@ApplicationScoped
public class ClientAuthenticator {

    private ConsistentCache<CachedClient> cache;
    /** Compared against when the client does not exist, so unknown and wrong cost the same. */
    private final byte[] dummyHash = Sha256.of("latchkey-no-such-client");

    @Inject
    EntityManager entityManager;
    @Inject
    ChangeFeed feed;

    @PostConstruct
    void create() {
        cache = new ConsistentCache<>(feed, 10_000, 10_000);
    }

    /**
     * The client with these credentials, compared in constant time; empty when unknown or wrong. On the I/O thread,
     * throws {@link io.latchkey.cluster.NotInMemory} when only the database can tell.
     */
    public Optional<CachedClient> authenticate(String clientId, String secret) {
        // an id creation would refuse cannot exist (and PostgreSQL refuses a NUL in text: a 500)
        Optional<CachedClient> client = !Client.isValidId(clientId) ? Optional.empty()
                : cache.get(clientId, this::load);
        byte[] expected = client.map(CachedClient::secretHash).orElse(dummyHash);
        boolean matches = MessageDigest.isEqual(expected, Sha256.of(secret));
        return client.filter(c -> matches);
    }

    private Optional<CachedClient> load(String clientId) {
        return Optional.ofNullable(entityManager.find(Client.class, clientId))
                .map(c -> new CachedClient(c.clientId(), c.secretHash(), Set.copyOf(c.permissions())));
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.CLIENT_CHANGED && change.clientId() != null) {
            cache.invalidate(change.clientId());
        }
    }

    void onStale(@Observes CachesStale stale) {
        cache.clear();
    }
}
