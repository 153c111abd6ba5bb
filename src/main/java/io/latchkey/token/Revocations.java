package io.latchkey.token;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Revoked token ids (logout), kept until the token would have expired anyway: in PostgreSQL for durability
 * and every instance, and in memory so that checking one costs a map look-up.
 */
@ApplicationScoped
public class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class);

    /** jti to expiry in epoch seconds. */
    private final ConcurrentHashMap<String, Long> revoked = new ConcurrentHashMap<>();

    @Inject
    EntityManager entityManager;
    @Inject
    ChangeFeed changes;
    @Inject
    Clock clock;

    public boolean isRevoked(String jti) {
        return revoked.containsKey(jti);
    }

    /** Revokes {@code jti} until {@code expiresAt}, here before this returns and on every instance. */
    public void revoke(String jti, long expiresAt) {
        QuarkusTransaction.requiringNew().run(() -> {
            entityManager.createNativeQuery(
                    "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2) ON CONFLICT (jti) DO NOTHING")
                    .setParameter(1, jti)
                    .setParameter(2, Instant.ofEpochSecond(expiresAt))
                    .executeUpdate();
            changes.publish(Change.revoked(jti, expiresAt));
        });
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.REVOKED) {
            revoked.put(change.subject(), change.expiresAt());
        }
    }

    /** Re-reads every live revocation, forgets expired ones here and in the database. */
    void onStale(@Observes CachesStale stale) {
        long now = clock.instant().getEpochSecond();
        try {
            List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> {
                entityManager.createNativeQuery("DELETE FROM revoked_tokens WHERE expires_at < now() - interval '1 hour'")
                        .executeUpdate();
                @SuppressWarnings("unchecked")
                List<Object[]> live = entityManager.createNativeQuery(
                        "SELECT jti, CAST(extract(epoch FROM expires_at) AS bigint) FROM revoked_tokens WHERE expires_at > now()")
                        .getResultList();
                return live;
            });
            for (Object[] row : rows) {
                revoked.put((String) row[0], ((Number) row[1]).longValue());
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not re-read revocations (%s); the ones in memory stay in force", e.getClass().getSimpleName());
        }
        revoked.values().removeIf(expiresAt -> expiresAt < now);
    }
}
