package io.latchkey.client;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;

import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeLog;
import io.latchkey.common.Sha256;
import io.latchkey.common.Transactions;
import io.latchkey.error.Refusal;

/**
 * Client administration: registering, listing and deleting clients. A secret is 256 random bits shown once;
 * only its SHA-256 is stored ({@link ClientAuthenticator} checks it on the hot path).
 */
@ApplicationScoped
public class ClientService {

    private static final int SECRET_BYTES = 32;

    public record CreatedClient(Client client, String secret) {
        @Override
        public String toString() {
            return "CreatedClient[" + client + "]";
        }
    }

    private final SecureRandom random = new SecureRandom();

    @Inject
    EntityManager entityManager;
    @Inject
    Transactions transactions;
    @Inject
    ChangeLog changes;
    @Inject
    Clock clock;

    public CreatedClient create(String clientId, List<String> permissionNames) {
        if (!Client.isValidId(clientId)) {
            throw Refusal.invalidRequest("client_id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.");
        }
        List<Permission> permissions = parsePermissions(permissionNames);
        byte[] raw = new byte[SECRET_BYTES];
        random.nextBytes(raw);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Client client = new Client(clientId, Sha256.of(secret), permissions, clock.instant().truncatedTo(ChronoUnit.MICROS));
        try {
            transactions.runInNew(() -> {
                if (entityManager.find(Client.class, clientId) != null) {
                    throw Refusal.conflict("That client_id is taken.");
                }
                entityManager.persist(client);
                entityManager.flush();
                changes.append(Change.clientChanged(clientId)); // drops a cached "no such client" everywhere
            });
        } catch (PersistenceException e) {
            throw Refusal.conflict("That client_id is taken.");
        }
        return new CreatedClient(client, secret);
    }

    public List<Client> list() {
        @SuppressWarnings("unchecked")
        List<Client> all = entityManager.createNativeQuery("SELECT * FROM clients ORDER BY client_id", Client.class)
                .getResultList();
        return all;
    }

    public void delete(String clientId) {
        if (!Client.isValidId(clientId)) {
            throw Refusal.notFound("No such client."); // cannot exist, and PostgreSQL refuses a NUL in text
        }
        transactions.runInNew(() -> {
            Client client = entityManager.find(Client.class, clientId);
            if (client == null) {
                throw Refusal.notFound("No such client.");
            }
            entityManager.remove(client);
            changes.append(Change.clientChanged(clientId));
        });
    }

    private static List<Permission> parsePermissions(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw Refusal.invalidRequest("permissions must list at least one of: introspect, keys:read, events:read.");
        }
        Set<Permission> permissions = new LinkedHashSet<>();
        for (String name : names) {
            permissions.add(Permission.fromWireName(name).orElseThrow(
                    () -> Refusal.invalidRequest("Unknown permission; known ones are introspect, keys:read and events:read.")));
        }
        return List.copyOf(permissions);
    }
}
