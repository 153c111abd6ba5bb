package io.latchkey.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.agroal.api.AgroalDataSource;
import io.latchkey.config.LatchkeyConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Keeps every instance's caches in step through PostgreSQL LISTEN/NOTIFY. A change is published inside the
 * transaction that makes it, so it is announced exactly when it commits; this instance applies it right after
 * commit, before the response, and the others when the notification arrives (milliseconds later).
 * A lost connection is re-established, and caches are declared stale then and every refresh interval.
 */
@ApplicationScoped
public class ChangeFeed {

    static final String CHANNEL = "latchkey_changes";
    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    private static final int POLL_MILLIS = 250;
    /** A silently dead connection is noticed within about this plus the probe's timeout. */
    private static final long PROBE_NANOS = 1_000_000_000L;

    @Inject
    EntityManager entityManager;
    @Inject
    TransactionSynchronizationRegistry transactions;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    Event<Change> changes;
    @Inject
    Event<CachesStale> staleness;
    @Inject
    LatchkeyConfig config;

    private volatile boolean running;
    private Thread listener;

    /** Announces {@code change} when the current transaction commits. Requires an active transaction. */
    public void publish(Change change) {
        entityManager.createNativeQuery("SELECT 1 FROM pg_notify(?1, ?2)")
                .setParameter(1, CHANNEL)
                .setParameter(2, change.toPayload())
                .getSingleResult();
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    changes.fire(change);
                }
            }
        });
    }

    void start(@Observes StartupEvent event) {
        running = true;
        listener = new Thread(this::listenForever, "latchkey-change-feed");
        listener.setDaemon(true);
        listener.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    private void listenForever() {
        boolean lost = false;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                listen(connection);
                if (lost) {
                    LOG.info("Change feed re-established");
                    lost = false;
                }
                declareStale(); // anything may have changed while we were not listening
                receive(connection.unwrap(PGConnection.class), connection);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                if (!lost) {
                    LOG.warnf("Change feed lost (%s); caches are dropped and the feed retried every second",
                            e.getClass().getSimpleName());
                    lost = true;
                }
                declareStale();
                pause(1000);
            }
        }
    }

    private void declareStale() {
        try {
            staleness.fire(new CachesStale());
        } catch (RuntimeException e) {
            LOG.warnf("Refreshing caches failed (%s); retried at the next refresh", e.getClass().getSimpleName());
        }
    }

    private static void listen(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + CHANNEL);
        }
    }

    private void receive(PGConnection feed, Connection connection) throws SQLException {
        long refreshNanos = config.cache().refreshInterval().toNanos();
        long lastRefresh = System.nanoTime();
        long lastProbe = lastRefresh;
        while (running) {
            PGNotification[] notifications = feed.getNotifications(POLL_MILLIS);
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    Change.fromPayload(notification.getParameter()).ifPresent(changes::fire);
                }
            }
            long now = System.nanoTime();
            if (now - lastProbe > PROBE_NANOS) {
                probe(connection); // a silently dead connection would otherwise never deliver again
                lastProbe = now;
            }
            if (now - lastRefresh > refreshNanos) {
                declareStale();
                lastRefresh = now;
            }
        }
    }

    private static void probe(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(2);
            statement.execute("SELECT 1");
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
