package io.latchkey.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.NotInMemory;
import io.latchkey.common.Sha256;

/**
 * Client authentication on the hot path: the secret checked against its stored hash, clients and unknown ids
 * remembered, and dropped on a change. The database is a map of stored clients that counts its loads. Plain JUnit.
 */
@Tag("plain")
class ClientAuthenticatorTest {

    private final Map<String, CachedClient> stored = new ConcurrentHashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final ClientAuthenticator clients = new ClientAuthenticator(id -> {
        loads.incrementAndGet();
        return Optional.ofNullable(stored.get(id));
    });

    @Test
    void rightSecretAuthenticatesTheClient() {
        // given
        CachedClient client = store("svc-a", "right-secret", Permission.INTROSPECT);

        // then
        assertSame(client, clients.authenticate("svc-a", "right-secret", false).orElseThrow());
    }

    @Test
    void wrongSecretIsRefused() {
        store("svc-a", "right-secret", Permission.INTROSPECT);

        assertTrue(clients.authenticate("svc-a", "wrong-secret", false).isEmpty());
        assertTrue(clients.authenticate("svc-a", "", false).isEmpty());
    }

    @Test
    void unknownClientIsRefused() {
        assertTrue(clients.authenticate("svc-nobody", "any", false).isEmpty());
    }

    @Test
    void unknownClientWithTheDummySecretIsStillRefused() {
        // the hash compared for unknown clients must never let the matching secret in
        assertTrue(clients.authenticate("svc-nobody", "latchkey-no-such-client", false).isEmpty());
    }

    @Test
    void idThatCannotExistIsRefusedWithoutALoad() {
        assertTrue(clients.authenticate("bad id with spaces", "any", false).isEmpty());
        assertTrue(clients.authenticate("nul\u0000", "any", true).isEmpty());
        assertTrue(clients.authenticate(null, "any", false).isEmpty());
        assertEquals(0, loads.get());
    }

    @Test
    void clientIsLoadedOnceThenAuthenticatedFromMemory() {
        // given
        store("svc-a", "right-secret", Permission.INTROSPECT);
        clients.authenticate("svc-a", "right-secret", false);

        // when
        boolean fromMemory = clients.authenticate("svc-a", "right-secret", true).isPresent();

        // then
        assertTrue(fromMemory);
        assertEquals(1, loads.get());
    }

    @Test
    void unknownClientIsLoadedOnceThenRememberedAsUnknown() {
        clients.authenticate("svc-nobody", "any", false);

        assertTrue(clients.authenticate("svc-nobody", "any", true).isEmpty());
        assertEquals(1, loads.get());
    }

    @Test
    void memoryOnlyAuthenticationOfAClientNotYetLoadedSaysSo() {
        store("svc-a", "right-secret", Permission.INTROSPECT);

        assertThrows(NotInMemory.class, () -> clients.authenticate("svc-a", "right-secret", true));
    }

    @Test
    void changeOfAClientDropsOnlyThatClient() {
        // given
        store("svc-a", "secret-a", Permission.INTROSPECT);
        store("svc-b", "secret-b", Permission.KEYS_READ);
        clients.authenticate("svc-a", "secret-a", false);
        clients.authenticate("svc-b", "secret-b", false);

        // when
        stored.remove("svc-a");
        clients.onChange(Change.client("svc-a"));

        // then
        assertThrows(NotInMemory.class, () -> clients.authenticate("svc-a", "secret-a", true));
        assertTrue(clients.authenticate("svc-a", "secret-a", false).isEmpty());
        assertTrue(clients.authenticate("svc-b", "secret-b", true).isPresent());
    }

    @Test
    void changesOfUsersAndRevocationsLeaveClientsCached() {
        store("svc-a", "secret-a", Permission.INTROSPECT);
        clients.authenticate("svc-a", "secret-a", false);

        clients.onChange(Change.user(java.util.UUID.randomUUID()));
        clients.onChange(Change.revoked("svc-a", 0));

        assertTrue(clients.authenticate("svc-a", "secret-a", true).isPresent());
    }

    @Test
    void staleCachesDropEveryClient() {
        store("svc-a", "secret-a", Permission.INTROSPECT);
        clients.authenticate("svc-a", "secret-a", false);

        clients.onStale(new CachesStale());

        assertThrows(NotInMemory.class, () -> clients.authenticate("svc-a", "secret-a", true));
    }

    @Test
    void cachedClientDoesNotPrintItsSecretHash() {
        CachedClient client = store("svc-a", "secret-a", Permission.INTROSPECT);

        assertEquals("CachedClient[clientId=svc-a]", client.toString());
        assertFalse(client.toString().contains("secret"));
    }

    private CachedClient store(String clientId, String secret, Permission... permissions) {
        CachedClient client = new CachedClient(clientId, Sha256.of(secret), Set.of(permissions));
        stored.put(clientId, client);
        return client;
    }
}
