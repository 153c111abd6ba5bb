package io.latchkey.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;

/**
 * The rules of clients that need no database: the id pattern, permission names, what a client prints, and the
 * requests {@link ClientService} refuses before it looks anything up. Plain JUnit.
 */
@Tag("plain")
class ClientRulesTest {

    private final ClientService service = new ClientService();

    @Test
    void idOfUpTo64AllowedCharactersIsValid() {
        assertTrue(Client.isValidId("a"));
        assertTrue(Client.isValidId("Az09._-"));
        assertTrue(Client.isValidId("x".repeat(64)));
    }

    @Test
    void emptyLongOrOddIdIsInvalid() {
        assertFalse(Client.isValidId(null));
        assertFalse(Client.isValidId(""));
        assertFalse(Client.isValidId("x".repeat(65)));
        assertFalse(Client.isValidId("with space"));
        assertFalse(Client.isValidId("slash/"));
        assertFalse(Client.isValidId("nul\u0000"));
    }

    @Test
    void permissionsAreKnownByTheirWireNames() {
        assertEquals(Optional.of(Permission.INTROSPECT), Permission.fromWireName("introspect"));
        assertEquals(Optional.of(Permission.KEYS_READ), Permission.fromWireName("keys:read"));
        assertEquals("keys:read", Permission.KEYS_READ.wireName());
        assertEquals(Optional.empty(), Permission.fromWireName("KEYS:READ"));
        assertEquals(Optional.empty(), Permission.fromWireName(null));
    }

    @Test
    void clientKeepsItsIdPermissionsAndCreationTime() {
        Instant created = Instant.parse("2026-03-01T12:00:00Z");
        Client client = new Client("svc-a", new byte[32], List.of(Permission.KEYS_READ, Permission.INTROSPECT), created);

        assertEquals("svc-a", client.clientId());
        assertEquals(List.of(Permission.KEYS_READ, Permission.INTROSPECT), client.permissions());
        assertEquals(created, client.createdAt());
        assertTrue(Arrays.equals(new byte[32], client.secretHash()));
    }

    @Test
    void clientDoesNotPrintItsSecretHash() {
        Client client = new Client("svc-a", new byte[] {42}, List.of(Permission.INTROSPECT), Instant.EPOCH);

        assertEquals("Client[clientId=svc-a]", client.toString());
    }

    @Test
    void creatingAClientWithAnInvalidIdIsRefused() {
        assertRefused(ErrorCode.INVALID_REQUEST, () -> service.create("bad id", List.of("introspect")));
    }

    @Test
    void creatingAClientWithoutPermissionsIsRefused() {
        assertRefused(ErrorCode.INVALID_REQUEST, () -> service.create("svc-a", List.of()));
        assertRefused(ErrorCode.INVALID_REQUEST, () -> service.create("svc-a", null));
    }

    @Test
    void creatingAClientWithAnUnknownPermissionIsRefused() {
        assertRefused(ErrorCode.INVALID_REQUEST, () -> service.create("svc-a", List.of("introspect", "admin")));
    }

    @Test
    void deletingAClientWhoseIdCannotExistIsNotFound() {
        assertRefused(ErrorCode.NOT_FOUND, () -> service.delete("nul\u0000"));
    }

    @Test
    void createdClientDoesNotPrintItsSecret() {
        Client client = new Client("svc-a", new byte[32], List.of(Permission.INTROSPECT), Instant.EPOCH);

        assertEquals("CreatedClient[Client[clientId=svc-a]]",
                new ClientService.CreatedClient(client, "the-secret").toString());
    }

    private static void assertRefused(ErrorCode code, Runnable call) {
        assertEquals(code, assertThrows(Refusal.class, call::run).code());
    }
}
