package io.latchkey.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.NotInMemory;
import io.latchkey.cluster.RetryFailedReads;
import io.latchkey.cluster.TestFeed;
import io.latchkey.common.Sha256;

/**
 * Client authentication on the hot path: the secret checked against its stored hash, clients and unknown ids
 * remembered, and dropped on a change. The database is a map of stored clients that counts its loads. Plain JUnit.
 */
@Tag("plain")
class ClientAuthenticatorTest {

    private final Map<String, CachedClient> stored = new ConcurrentHashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final TestFeed feed = new TestFeed();
    /** What listing the stored client ids does: by default the stored ones; a test may make it fail. */
    private IntFunction<List<String>> listIds = limit -> stored.keySet().stream().limit(limit).toList();
    private final ClientAuthenticator clients = new ClientAuthenticator(feed, id -> {
        loads.incrementAndGet();
        return Optional.ofNullable(stored.get(id));
    }, limit -> listIds.apply(limit));

    @Test
    void onceTheIdsAreReadAnIdThatDoesNotExistCostsNoLoad() {
        // given
        store("svc-a", "right-secret", Permission.INTROSPECT);
        clients.onStale(new CachesStale());

        // when
        for (int i = 0; i < 50; i++) {
            assertTrue(clients.authenticate("svc-random-" + i, "any").isEmpty());
        }

        // then
        assertEquals(0, loads.get());
        assertTrue(clients.authenticate("svc-a", "right-secret").isPresent());
    }

    @Test
    void aClientCreatedAfterTheIdsWereReadIsLookedUpOnceItsChangeArrives() {
        // given
        clients.onStale(new CachesStale());
        store("svc-new", "right-secret", Permission.INTROSPECT);
        assertTrue(clients.authenticate("svc-new", "right-secret").isEmpty(), "not yet known here");

        // when
        clients.onChange(Change.clientChanged("svc-new"));

        // then
        assertTrue(clients.authenticate("svc-new", "right-secret").isPresent());
    }

    @Test
    void asManyClientsAsTheBoundAreAllHeld() {
        // given
        for (int i = 0; i < ClientAuthenticator.MAX_IDS; i++) {
            stored.put("svc-" + i, new CachedClient("svc-" + i, Sha256.of("s"), Set.of()));
        }
        clients.onStale(new CachesStale());

        // when
        clients.authenticate("svc-random", "any");

        // then
        assertEquals(0, loads.get());
    }

    @Test
    void withTooManyClientsEveryIdMayExist() {
        // given
        for (int i = 0; i <= ClientAuthenticator.MAX_IDS; i++) {
            stored.put("svc-" + i, new CachedClient("svc-" + i, Sha256.of("s"), Set.of()));
        }
        clients.onStale(new CachesStale());

        // when
        clients.authenticate("svc-random", "any");

        // then
        assertEquals(1, loads.get());
    }

    @Test
    void whenTheIdsCannotBeReadEveryIdMayExist() {
        // given
        listIds = limit -> {
            throw new IllegalStateException("database down");
        };
        clients.onStale(new CachesStale());

        // when
        clients.authenticate("svc-random", "any");

        // then
        assertEquals(1, loads.get());
    }

    @Test
    void idsThatCouldNotBeReadAreReadAgainAtTheNextTick() {
        // given
        listIds = limit -> {
            throw new IllegalStateException("database down");
        };
        clients.onStale(new CachesStale());
        listIds = limit -> stored.keySet().stream().limit(limit).toList();

        // when
        clients.onRetry(new RetryFailedReads());

        // then
        clients.authenticate("svc-random", "any");
        assertEquals(0, loads.get());
    }

    @Test
    void whileTheLeaseHasLapsedTheIdsAreNotTrusted() {
        // given
        clients.onStale(new CachesStale());
        store("svc-elsewhere", "right-secret", Permission.INTROSPECT);
        feed.trusted = false;

        // then: created on another instance, its change not seen here yet: the database is asked
        assertTrue(clients.authenticate("svc-elsewhere", "right-secret").isPresent());
    }

    @Test
    void rightSecretAuthenticatesTheClient() {
        // given
        CachedClient client = store("svc-a", "right-secret", Permission.INTROSPECT);

        // then
        assertSame(client, clients.authenticate("svc-a", "right-secret").orElseThrow());
    }

    @Test
    void wrongSecretIsRefused() {
        store("svc-a", "right-secret", Permission.INTROSPECT);

        assertTrue(clients.authenticate("svc-a", "wrong-secret").isEmpty());
        assertTrue(clients.authenticate("svc-a", "").isEmpty());
    }

    @Test
    void unknownClientIsRefused() {
        assertTrue(clients.authenticate("svc-nobody", "any").isEmpty());
    }

    @Test
    void unknownClientWithTheDummySecretIsStillRefused() {
        // the hash compared for unknown clients must never let the matching secret in
        assertTrue(clients.authenticate("svc-nobody", "latchkey-no-such-client").isEmpty());
    }

    @Test
    void idThatCannotExistIsRefusedWithoutALoad() {
        assertTrue(clients.authenticate("bad id with spaces", "any").isEmpty());
        assertTrue(onIoThread("nul\u0000", "any").isEmpty());
        assertTrue(clients.authenticate(null, "any").isEmpty());
        assertEquals(0, loads.get());
    }

    @Test
    void clientIsLoadedOnceThenAuthenticatedFromMemory() {
        // given
        store("svc-a", "right-secret", Permission.INTROSPECT);
        clients.authenticate("svc-a", "right-secret");

        // when
        boolean fromMemory = onIoThread("svc-a", "right-secret").isPresent();

        // then
        assertTrue(fromMemory);
        assertEquals(1, loads.get());
    }

    @Test
    void unknownClientIsLoadedOnceThenRememberedAsUnknown() {
        clients.authenticate("svc-nobody", "any");

        assertTrue(onIoThread("svc-nobody", "any").isEmpty());
        assertEquals(1, loads.get());
    }

    @Test
    void clientNotYetLoadedIsNotLookedUpOnTheIoThread() {
        store("svc-a", "right-secret", Permission.INTROSPECT);

        assertThrows(NotInMemory.class, () -> onIoThread("svc-a", "right-secret"));
    }

    @Test
    void changeOfAClientDropsOnlyThatClient() {
        // given
        store("svc-a", "secret-a", Permission.INTROSPECT);
        store("svc-b", "secret-b", Permission.KEYS_READ);
        clients.authenticate("svc-a", "secret-a");
        clients.authenticate("svc-b", "secret-b");

        // when
        stored.remove("svc-a");
        clients.onChange(Change.clientChanged("svc-a"));

        // then
        assertThrows(NotInMemory.class, () -> onIoThread("svc-a", "secret-a"));
        assertTrue(clients.authenticate("svc-a", "secret-a").isEmpty());
        assertTrue(onIoThread("svc-b", "secret-b").isPresent());
    }

    @Test
    void changesOfUsersAndRevocationsLeaveClientsCached() {
        store("svc-a", "secret-a", Permission.INTROSPECT);
        clients.authenticate("svc-a", "secret-a");

        clients.onChange(Change.userDisabled(java.util.UUID.randomUUID()));
        clients.onChange(Change.tokenRevoked("svc-a", java.util.UUID.randomUUID(), 0));

        assertTrue(onIoThread("svc-a", "secret-a").isPresent());
    }

    @Test
    void staleCachesDropEveryClient() {
        store("svc-a", "secret-a", Permission.INTROSPECT);
        clients.authenticate("svc-a", "secret-a");

        clients.onStale(new CachesStale());

        assertThrows(NotInMemory.class, () -> onIoThread("svc-a", "secret-a"));
    }

    @Test
    void cachedClientDoesNotPrintItsSecretHash() {
        CachedClient client = store("svc-a", "secret-a", Permission.INTROSPECT);

        assertEquals("CachedClient[clientId=svc-a]", client.toString());
        assertFalse(client.toString().contains("secret"));
    }

    /** Authenticates as on the I/O thread, where only memory may answer. */
    private Optional<CachedClient> onIoThread(String clientId, String secret) {
        feed.ioThread = true;
        try {
            return clients.authenticate(clientId, secret);
        } finally {
            feed.ioThread = false;
        }
    }

    private CachedClient store(String clientId, String secret, Permission... permissions) {
        CachedClient client = new CachedClient(clientId, Sha256.of(secret), Set.of(permissions));
        stored.put(clientId, client);
        return client;
    }
}
