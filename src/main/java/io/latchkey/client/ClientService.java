package io.latchkey.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.latchkey.cluster.ConsistentCache;
import io.latchkey.error.Refusal;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Clients and their secrets. A secret is 256 random bits shown once; only its SHA-256 is stored. A fast hash
 * is enough for a secret that cannot be guessed (slow hashes are for low-entropy passwords), and it keeps
 * client authentication on the introspection hot path cheap. Clients are cached in memory like keys.
 */
@ApplicationScoped
public class ClientService {

    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int SECRET_BYTES = 32;

    /** What authenticating a client needs, held in memory. */
    public record CachedClient(String clientId, byte[] secretHash, Set<Permission> permissions) {
        @Override
        public String toString() {
            return "CachedClient[clientId=" + clientId + "]";
        }
    }

    public record CreatedClient(Client client, String secret) {
        @Override
        public String toString() {
            return "CreatedClient[" + client + "]";
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final ConsistentCache<CachedClient> cache = new ConsistentCache<>(10_000, 10_000);
    /** Compared against when the client does not exist, so unknown and wrong cost the same. */
    private final byte[] dummyHash = sha256("latchkey-no-such-client");

    @Inject
    EntityManager entityManager;
    @Inject
    ChangeFeed changes;
    @Inject
    Clock clock;

    public CreatedClient create(String clientId, List<String> permissionNames) {
        if (clientId == null || !CLIENT_ID.matcher(clientId).matches()) {
            throw Refusal.invalidRequest("client_id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.");
        }
        List<Permission> permissions = parsePermissions(permissionNames);
        byte[] raw = new byte[SECRET_BYTES];
        random.nextBytes(raw);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Client client = new Client(clientId, sha256(secret), permissions, clock.instant().truncatedTo(ChronoUnit.MICROS));
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                if (entityManager.find(Client.class, clientId) != null) {
                    throw Refusal.conflict("That client_id is taken.");
                }
                entityManager.persist(client);
                entityManager.flush();
                changes.publish(Change.client(clientId)); // drops a cached "no such client" everywhere
            });
        } catch (PersistenceException e) {
            throw Refusal.conflict("That client_id is taken.");
        }
        return new CreatedClient(client, secret);
    }

    public List<Client> list() {
        return entityManager.createQuery("SELECT c FROM Client c ORDER BY c.clientId", Client.class).getResultList();
    }

    public void delete(String clientId) {
        if (clientId == null || !CLIENT_ID.matcher(clientId).matches()) {
            throw Refusal.notFound("No such client."); // cannot exist, and PostgreSQL refuses a NUL in text
        }
        QuarkusTransaction.requiringNew().run(() -> {
            Client client = entityManager.find(Client.class, clientId);
            if (client == null) {
                throw Refusal.notFound("No such client.");
            }
            entityManager.remove(client);
            changes.publish(Change.client(clientId));
        });
    }

    /**
     * The client with these credentials, compared in constant time; empty when unknown or wrong. With
     * {@code memoryOnly}, throws {@link io.latchkey.cluster.NotInMemory} instead of querying the database.
     */
    public Optional<CachedClient> authenticate(String clientId, String secret, boolean memoryOnly) {
        // an id creation would refuse cannot exist (and PostgreSQL refuses a NUL in text: a 500)
        Optional<CachedClient> client = !CLIENT_ID.matcher(clientId).matches() ? Optional.empty()
                : memoryOnly ? cache.getInMemory(clientId) : cache.get(clientId, this::load);
        byte[] expected = client.map(CachedClient::secretHash).orElse(dummyHash);
        boolean matches = MessageDigest.isEqual(expected, sha256(secret));
        return client.filter(c -> matches);
    }

    private Optional<CachedClient> load(String clientId) {
        return Optional.ofNullable(entityManager.find(Client.class, clientId))
                .map(c -> new CachedClient(c.clientId(), c.secretHash(), Set.copyOf(c.permissions())));
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.CLIENT) {
            cache.invalidate(change.subject());
        }
    }

    void onStale(@Observes CachesStale stale) {
        cache.clear();
    }

    private static List<Permission> parsePermissions(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw Refusal.invalidRequest("permissions must list at least one of: introspect, keys:read.");
        }
        Set<Permission> permissions = new LinkedHashSet<>();
        for (String name : names) {
            permissions.add(Permission.fromWireName(name).orElseThrow(
                    () -> Refusal.invalidRequest("Unknown permission; known ones are introspect and keys:read.")));
        }
        return List.copyOf(permissions);
    }

    private static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
