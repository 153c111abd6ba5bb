package io.latchkey.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.latchkey.cluster.ChangeLog;
import io.latchkey.cluster.RetryFailedReads;
import io.latchkey.common.Transactions;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.error.Refusal;

/**
 * Revoked token ids (logout), kept until the token could no longer pass anyway (expiry plus clock skew): in
 * PostgreSQL for durability and every instance, and in memory so that checking one costs a map look-up. The
 * set is loaded by the change feed's first catch-up; while a re-read has failed, or the feed's lease has lapsed,
 * the in-memory set is not trusted and each check asks the database.
 */
@ApplicationScoped
public class Revocations {

    private static final Logger LOG = Logger.getLogger(Revocations.class);
    private static final long SWEEP_EVERY_SECONDS = 60;

    /** jti to expiry in epoch seconds. */
    private final ConcurrentHashMap<String, Long> revoked = new ConcurrentHashMap<>();
    /** Epoch second of the last sweep of expired entries. */
    private volatile long lastSweep;
    /** False while revocations may have been missed. */
    private volatile boolean complete;

    @Inject
    EntityManager entityManager;
    @Inject
    Transactions transactions;
    @Inject
    ChangeLog changes;
    @Inject
    ChangeFeed feed;
    @Inject
    LatchkeyConfig config;
    @Inject
    Clock clock;

    /**
     * Whether {@code jti} is revoked: from memory while the change feed holds its lease and the set is complete,
     * else from the database (on the I/O thread that throws {@link io.latchkey.cluster.NotInMemory}).
     */
    public boolean isRevoked(String jti) {
        if (revoked.containsKey(jti)) {
            return true;
        }
        if (complete && feed.memoryTrusted()) {
            return false;
        }
        return feed.readThrough(() -> !entityManager.createNativeQuery("SELECT 1 FROM revoked_tokens WHERE jti = ?1")
                .setParameter(1, jti).getResultList().isEmpty());
    }

    /** Revokes {@code jti} (a token of {@code userId}) until {@code expiresAt}, here before this returns and everywhere. */
    public void revoke(String jti, UUID userId, long expiresAt) {
        if (!feed.databaseReachable()) {
            // fail fast rather than wait on a dead link
            throw Refusal.temporarilyUnavailable("The revocation cannot be stored right now; retry shortly.",
                    Duration.ofSeconds(1));
        }
        transactions.runInNew(() -> {
            entityManager.createNativeQuery(
                    "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2) ON CONFLICT (jti) DO NOTHING")
                    .setParameter(1, jti)
                    .setParameter(2, Instant.ofEpochSecond(expiresAt))
                    .executeUpdate();
            changes.append(Change.tokenRevoked(jti, userId, expiresAt));
        });
    }

    void onChange(@Observes Change change) {
        if (change.kind() == Change.Kind.TOKEN_REVOKED && change.jti() != null) {
            // anyone who can write the log could name a far future: no token lives longer than this anyway
            long longest = clock.instant().getEpochSecond() + config.tokenLifetime().plus(config.clockSkew()).toSeconds();
            revoked.put(change.jti(), Math.min(change.expiresAt(), longest));
            forgetExpiredNowAndThen();
        }
    }

    /**
     * The set grows only here, so expired entries are swept here too, at most once a minute: the safety-net
     * refresh that also sweeps them runs only hourly by default.
     */
    private void forgetExpiredNowAndThen() {
        long now = clock.instant().getEpochSecond();
        if (now - lastSweep < SWEEP_EVERY_SECONDS) {
            return;
        }
        lastSweep = now;
        forgetExpired(horizon());
    }

    /** Epoch second before which a token has expired even with the clock skew allowed: its revocation is moot. */
    private long horizon() {
        return clock.instant().getEpochSecond() - config.clockSkew().toSeconds();
    }

    private void forgetExpired(long horizon) {
        revoked.values().removeIf(expiresAt -> expiresAt < horizon);
    }

    void onStale(@Observes CachesStale stale) {
        reread();
    }

    void onRetry(@Observes RetryFailedReads retry) {
        if (!complete) {
            reread();
        }
    }

    private void reread() {
        try {
            reload();
        } catch (RuntimeException e) {
            complete = false;
            LOG.warnf("Could not re-read revocations (%s); each check asks the database until a retry succeeds",
                    e.getClass().getSimpleName());
        }
    }

    /** Re-reads every revocation that still matters and forgets the others, here and in the database. */
    private void reload() {
        long horizon = horizon();
        List<Object[]> rows = transactions.callInNew(() -> {
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
        forgetExpired(horizon);
        complete = true;
    }
}
