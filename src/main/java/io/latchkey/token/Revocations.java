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
import io.latchkey.cluster.NotInMemory;
import io.latchkey.config.LatchkeyConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * Revoked token ids (logout), kept until the token could no longer pass anyway (expiry plus clock skew): in
 * PostgreSQL for durability and every instance, and in memory so that checking one costs a map look-up. The
 * set is loaded before the service serves; while a re-read has failed (the database or the change feed was
 * lost), the in-memory set is not trusted and each check asks the database.
 */
@ApplicationScoped
public class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class);

    /** jti to expiry in epoch seconds. */
    private final ConcurrentHashMap<String, Long> revoked = new ConcurrentHashMap<>();
    /** False while revocations may have been missed. */
    private volatile boolean complete;

    @Inject
    EntityManager entityManager;
    @Inject
    ChangeFeed changes;
    @Inject
    LatchkeyConfig config;
    @Inject
    Clock clock;

    /**
     * Whether {@code jti} is revoked. With {@code memoryOnly} throws {@link NotInMemory} when the in-memory set
     * cannot be trusted; otherwise asks the database then, and counts a failed question as revoked.
     */
    public boolean isRevoked(String jti, boolean memoryOnly) {
        if (revoked.containsKey(jti)) {
            return true;
        }
        if (complete) {
            return false;
        }
        if (memoryOnly) {
            throw NotInMemory.INSTANCE;
        }
        try {
            return !entityManager.createNativeQuery("SELECT 1 FROM revoked_tokens WHERE jti = ?1")
                    .setParameter(1, jti).getResultList().isEmpty();
        } catch (RuntimeException e) {
            LOG.debugf("Revocation check failed (%s): token refused", e.getClass().getSimpleName());
            return true;
        }
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

    /** Before the first request: a failure here stops the start rather than serve revoked tokens. */
    void loadAtStart(@Observes StartupEvent event) {
        reload();
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.REVOKED) {
            revoked.put(change.subject(), change.expiresAt());
        }
    }

    void onStale(@Observes CachesStale stale) {
        try {
            reload();
        } catch (RuntimeException e) {
            complete = false;
            LOG.warnf("Could not re-read revocations (%s); each check asks the database until it can",
                    e.getClass().getSimpleName());
        }
    }

    /** Re-reads every revocation that still matters and forgets the others, here and in the database. */
    private void reload() {
        long horizon = clock.instant().getEpochSecond() - config.clockSkew().toSeconds();
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> {
            entityManager.createNativeQuery("DELETE FROM revoked_tokens WHERE expires_at < ?1")
                    .setParameter(1, Instant.ofEpochSecond(horizon - 3600))
                    .executeUpdate();
            @SuppressWarnings("unchecked")
            List<Object[]> live = entityManager.createNativeQuery(
                    "SELECT jti, CAST(extract(epoch FROM expires_at) AS bigint) FROM revoked_tokens WHERE expires_at >= ?1")
                    .setParameter(1, Instant.ofEpochSecond(horizon))
                    .getResultList();
            return live;
        });
        for (Object[] row : rows) {
            revoked.put((String) row[0], ((Number) row[1]).longValue());
        }
        revoked.values().removeIf(expiresAt -> expiresAt < horizon);
        complete = true;
    }
}
