package io.latchkey.client;

import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.latchkey.cluster.ConsistentCache;
import io.latchkey.cluster.RetryFailedReads;
import io.latchkey.common.Sha256;
import io.latchkey.common.Transactions;

/**
 * Client authentication on the hot path (introspection, key fetch): clients are cached in memory like keys, and
 * a secret is checked against its stored SHA-256 in constant time. A fast hash is enough for a secret that cannot
 * be guessed (slow hashes are for low-entropy passwords), and it keeps this path cheap.
 */
@ApplicationScoped
public class ClientAuthenticator {

    /** Most client ids held to tell an unknown id without a query; beyond it every unknown id costs one. */
    static final int MAX_IDS = 10_000;

    private ConsistentCache<CachedClient> cache;
    /** Compared against when the client does not exist, so unknown and wrong cost the same. */
    private final byte[] dummyHash = Sha256.of("latchkey-no-such-client");
    /**
     * Every client id that existed when the caches last started over, or was created or changed since; null before
     * that or when there are too many. An id outside it does not exist, so a flood of random ids costs no query.
     */
    private volatile Set<String> ids;
    /** Whether the last read of the ids failed: retried once a minute. */
    private volatile boolean idsUnread;

    @Inject
    EntityManager entityManager;
    @Inject
    Transactions transactions;
    @Inject
    ChangeFeed feed;
    /** A client by id, as the database has it. */
    private Function<String, Optional<CachedClient>> stored = this::load;
    /** At most {@code limit} client ids, as the database has them. */
    private IntFunction<List<String>> storedIds = this::loadIds;

    ClientAuthenticator() {
    }

    /** Over {@code stored} and {@code storedIds} instead of the database: a plain test's clients. */
    ClientAuthenticator(ChangeFeed feed, Function<String, Optional<CachedClient>> stored,
            IntFunction<List<String>> storedIds) {
        this.feed = feed;
        this.stored = stored;
        this.storedIds = storedIds;
        create();
    }

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
        Optional<CachedClient> client = !Client.isValidId(clientId) || !mayExist(clientId) ? Optional.empty()
                : cache.get(clientId, stored);
        byte[] expected = client.map(CachedClient::secretHash).orElse(dummyHash);
        boolean matches = MessageDigest.isEqual(expected, Sha256.of(secret));
        return client.filter(c -> matches);
    }

    private boolean mayExist(String clientId) {
        Set<String> known = ids;
        return known == null || known.contains(clientId) || !feed.memoryTrusted();
    }

    /** Re-reads every client id (when the caches start over: at start-up too); null, so no bound, on failure. */
    private void readIds() {
        List<String> all;
        try {
            all = storedIds.apply(MAX_IDS + 1);
        } catch (RuntimeException e) {
            ids = null; // every id may exist until a retry succeeds: correct, only not bounded
            idsUnread = true;
            return;
        }
        idsUnread = false;
        if (all.size() > MAX_IDS) {
            ids = null;
        } else {
            Set<String> known = ConcurrentHashMap.newKeySet();
            known.addAll(all);
            ids = known;
        }
    }

    private List<String> loadIds(int limit) {
        @SuppressWarnings("unchecked")
        List<String> all = transactions.callInNew(() -> entityManager.createNativeQuery("SELECT client_id FROM clients")
                .setMaxResults(limit).getResultList());
        return all;
    }

    private Optional<CachedClient> load(String clientId) {
        return Optional.ofNullable(entityManager.find(Client.class, clientId))
                .map(c -> new CachedClient(c.clientId(), c.secretHash(), Set.copyOf(c.permissions())));
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.CLIENT_CHANGED && change.clientId() != null) {
            Set<String> known = ids;
            if (known != null) {
                known.add(change.clientId()); // created, or changed: it may exist (a deleted one is then cached absent)
            }
            cache.invalidate(change.clientId());
        }
    }

    void onRetry(@Observes RetryFailedReads retry) {
        if (idsUnread) {
            readIds();
        }
    }

    void onStale(@Observes CachesStale stale) {
        readIds();
        cache.clear();
    }
}
