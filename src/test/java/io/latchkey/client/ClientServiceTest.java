package io.latchkey.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.TestChangeLog;
import io.latchkey.cluster.TestFeed;
import io.latchkey.common.Sha256;
import io.latchkey.common.TestTransactions;
import io.latchkey.config.TestDatabase;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;

/**
 * Client administration on a real PostgreSQL ({@link TestDatabase}): what creating stores and logs, a taken id,
 * listing, deleting. Plain JUnit, each test with its own client ids.
 */
@Tag("plain")
class ClientServiceTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T11:00:00.987654321Z"));
    private final EntityManager entityManager = TestDatabase.entityManagers().createEntityManager();
    private final TestTransactions transactions = new TestTransactions(entityManager);
    /** The changes as applied on this instance after commit. */
    private final List<Change> applied = new ArrayList<>();
    private final ClientService clients = new ClientService();

    ClientServiceTest() {
        clients.entityManager = entityManager;
        clients.transactions = transactions;
        clients.changes = new TestChangeLog(entityManager, transactions).applyingTo(applied::add);
        clients.clock = clock;
    }

    @AfterEach
    void close() {
        entityManager.close();
    }

    @Test
    void aNewClientIsStoredWithTheHashOfItsSecretItsPermissionsAndTheClocksTime() {
        // given
        String id = uniqueId();

        // when
        ClientService.CreatedClient created = clients.create(id, List.of("keys:read", "introspect"));

        // then: the secret is 256 bits, shown once; only its hash is stored
        assertEquals(32, Base64.getUrlDecoder().decode(created.secret()).length);
        Instant stored = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<List<Object>> rows = TestDatabase.rows(
                "SELECT secret_hash, permissions, created_at FROM clients WHERE client_id = ?", id);
        assertEquals(1, rows.size());
        assertArrayEquals(Sha256.of(created.secret()), (byte[]) rows.get(0).get(0));
        assertEquals(List.of("keys:read", "introspect"), rows.get(0).get(1));
        assertEquals(stored, rows.get(0).get(2));
        assertEquals(id, created.client().clientId());
        assertEquals(List.of(Permission.KEYS_READ, Permission.INTROSPECT), created.client().permissions());
        assertEquals(stored, created.client().createdAt());
    }

    @Test
    void creatingAClientLogsAChangeAppliedHereAfterCommit() {
        // given
        String id = uniqueId();

        // when
        clients.create(id, List.of("introspect"));

        // then: so a cached "no such client" is dropped everywhere
        assertEquals(List.of(List.of("client.changed")), TestDatabase.rows(
                "SELECT kind FROM change_log WHERE client_id = ?", id));
        assertEquals(List.of(id), applied.stream().map(Change::clientId).toList());
    }

    @Test
    void aPermissionNamedTwiceIsStoredOnce() {
        // given
        String id = uniqueId();

        // when
        clients.create(id, List.of("introspect", "events:read", "introspect"));

        // then
        assertEquals(List.of(List.of(List.of("introspect", "events:read"))), TestDatabase.rows(
                "SELECT permissions FROM clients WHERE client_id = ?", id));
    }

    @Test
    void twoClientsGetDifferentSecrets() {
        assertNotEquals(clients.create(uniqueId(), List.of("introspect")).secret(),
                clients.create(uniqueId(), List.of("introspect")).secret());
    }

    @Test
    void creatingATakenIdIsAConflictAndKeepsTheFirstClient() {
        // given
        String id = uniqueId();
        ClientService.CreatedClient first = clients.create(id, List.of("introspect"));

        // when
        Refusal refused = assertThrows(Refusal.class, () -> clients.create(id, List.of("keys:read")));

        // then
        assertEquals(ErrorCode.CONFLICT, refused.code());
        assertArrayEquals(Sha256.of(first.secret()), (byte[]) TestDatabase.rows(
                "SELECT secret_hash FROM clients WHERE client_id = ?", id).get(0).get(0));
        assertEquals(1, TestDatabase.rows("SELECT seq FROM change_log WHERE client_id = ?", id).size());
        assertEquals(1, applied.size());
    }

    @Test
    void clientsAreListedByIdWithTheirPermissions() {
        // given
        String prefix = uniqueId();
        clients.create(prefix + "-b", List.of("keys:read"));
        clients.create(prefix + "-a", List.of("introspect"));

        // when
        List<Client> listed = clients.list();

        // then
        List<String> ids = listed.stream().map(Client::clientId).toList();
        assertEquals(ids.stream().sorted(Comparator.naturalOrder()).toList(), ids);
        List<Client> ours = listed.stream().filter(c -> c.clientId().startsWith(prefix)).toList();
        assertEquals(List.of(prefix + "-a", prefix + "-b"), ours.stream().map(Client::clientId).toList());
        assertEquals(List.of(List.of(Permission.INTROSPECT), List.of(Permission.KEYS_READ)),
                ours.stream().map(Client::permissions).toList());
    }

    @Test
    void deletingAClientRemovesItAndLogsTheChange() {
        // given
        String id = uniqueId();
        clients.create(id, List.of("introspect"));

        // when
        clients.delete(id);

        // then
        assertEquals(List.of(), TestDatabase.rows("SELECT client_id FROM clients WHERE client_id = ?", id));
        assertEquals(2, TestDatabase.rows("SELECT seq FROM change_log WHERE client_id = ? AND kind = 'client.changed'",
                id).size());
        assertEquals(2, applied.size());
    }

    @Test
    void deletingAClientThatDoesNotExistIsNotFoundAndLogsNothing() {
        // given
        String id = uniqueId();

        // when
        Refusal refused = assertThrows(Refusal.class, () -> clients.delete(id));

        // then
        assertEquals(ErrorCode.NOT_FOUND, refused.code());
        assertEquals(List.of(), TestDatabase.rows("SELECT seq FROM change_log WHERE client_id = ?", id));
        assertEquals(List.of(), applied);
    }

    @Test
    void aCreatedClientAuthenticatesFromTheDatabaseWithItsSecretOnly() {
        // given: an authenticator that has read the stored client ids
        String id = uniqueId();
        ClientService.CreatedClient created = clients.create(id, List.of("introspect", "keys:read"));
        ClientAuthenticator authenticator = new ClientAuthenticator();
        authenticator.entityManager = entityManager;
        authenticator.transactions = transactions;
        authenticator.feed = new TestFeed();
        authenticator.create();
        authenticator.onStale(new CachesStale());

        // when
        Optional<CachedClient> right = authenticator.authenticate(id, created.secret());
        Optional<CachedClient> wrong = authenticator.authenticate(id, created.secret() + "x");

        // then
        assertEquals(Set.of(Permission.INTROSPECT, Permission.KEYS_READ), right.orElseThrow().permissions());
        assertEquals(id, right.orElseThrow().clientId());
        assertEquals(Optional.empty(), wrong);
    }

    private static String uniqueId() {
        return "svc-" + UUID.randomUUID();
    }
}
