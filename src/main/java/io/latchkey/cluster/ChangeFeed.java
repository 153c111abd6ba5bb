package io.latchkey.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.PGProperty;

import io.latchkey.config.LatchkeyConfig;
import io.quarkus.runtime.BlockingOperationControl;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Applies the change log to this instance's caches, in sequence order, and holds the lease on memory: caches may
 * answer only while the last round trip on the feed's connection is younger than {@code latchkey.feed.lease}.
 * <p>
 * The feed has its own connection (not from the pool) with a network timeout of half the lease, so a blackholed
 * link fails a round trip instead of blocking for the kernel's minutes. Every quarter lease it reads the rows after
 * the last applied one (that read is the liveness probe, and it also catches a change whose NOTIFY was lost); a
 * NOTIFY only wakes it early. After a reconnect it reads what it missed, or starts over when the log was pruned
 * past it. The safety-net refresh and the retry of failed cache reads run on a thread of their own.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    private static final int BATCH = 1000;
    /** How often the log is pruned: what it keeps beyond the longest token lifetime stays about this much. */
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    static final String APPLICATION_NAME = "latchkey-change-feed";

    @Inject
    Event<Change> changes;
    @Inject
    Event<CachesStale> staleness;
    @Inject
    Event<FeedAdvanced> advances;
    @Inject
    Event<RetryFailedReads> retries;
    @Inject
    LatchkeyConfig config;
    @Inject
    Clock clock;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    private final CountDownLatch firstCatchUp = new CountDownLatch(1);
    private volatile boolean running;
    private Thread listener;
    private ScheduledExecutorService housekeeping;
    /** System.nanoTime() when the last successful round trip on the feed connection was sent (monotonic, not a date). */
    private volatile long provenAliveAt;
    private volatile boolean caughtUp;
    private volatile boolean reachable;
    /** The sequence of the last change applied; -1 before the first catch-up. */
    private volatile long lastApplied = -1;
    private long lastPrune = System.nanoTime();

    /** Whether caches may answer from memory: the feed is caught up and proved alive within the lease. */
    public boolean memoryTrusted() {
        return caughtUp && System.nanoTime() - provenAliveAt < config.feed().lease().toNanos();
    }

    /** Whether the feed's last attempt to reach the database succeeded (false: fail closed rather than wait). */
    public boolean databaseReachable() {
        return reachable;
    }

    /** The sequence of the last change this instance applied from the log (0 when the log is empty). */
    public long lastApplied() {
        return Math.max(0, lastApplied);
    }

    /**
     * {@code read} for a cache that cannot answer from memory: {@link NotInMemory} on a thread that must not block
     * (the caller retries on a worker), {@link DatabaseUnavailable} when the database does not answer, rather than
     * a stale answer or a 500.
     */
    public <T> T readThrough(Supplier<T> read) {
        if (!reachable) {
            throw DatabaseUnavailable.INSTANCE;
        }
        if (!BlockingOperationControl.isBlockingAllowed()) {
            throw NotInMemory.INSTANCE;
        }
        try {
            return read.get();
        } catch (PersistenceException e) {
            LOG.debugf("A cache read from the database failed (%s)", e.getClass().getSimpleName());
            throw DatabaseUnavailable.INSTANCE;
        }
    }

    void start(@Observes StartupEvent event) throws InterruptedException {
        running = true;
        listener = new Thread(this::listenForever, APPLICATION_NAME);
        listener.setDaemon(true);
        listener.start();
        housekeeping = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "latchkey-cache-refresh");
            thread.setDaemon(true);
            return thread;
        });
        long refresh = config.cache().refreshInterval().toMillis();
        housekeeping.scheduleWithFixedDelay(this::refresh, refresh, refresh, TimeUnit.MILLISECONDS);
        // not on the feed's thread: a slow re-read must not hold up the round trips that keep the lease
        long retry = PRUNE_EVERY.toMillis();
        housekeeping.scheduleWithFixedDelay(this::retryFailedReads, retry, retry, TimeUnit.MILLISECONDS);
        // serve once caught up; if the database is slow to answer, start anyway and fail closed until it does
        if (!firstCatchUp.await(15, TimeUnit.SECONDS)) {
            LOG.warn("The change feed is not caught up yet: token checks answer 503 until it is");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
    }

    private void listenForever() {
        boolean lost = false;
        while (running) {
            try (Connection connection = connect()) {
                listen(connection);
                reachable = true;
                catchUp(connection);
                if (lost) {
                    LOG.info("Change feed re-established and caught up from the log");
                    lost = false;
                }
                receive(connection);
            } catch (SQLException | RuntimeException e) {
                reachable = false;
                if (!running) {
                    return;
                }
                if (!lost) {
                    LOG.warnf("Change feed lost (%s); memory is trusted until the lease ends, then checks go to the"
                            + " database or answer 503", e.getClass().getSimpleName());
                    lost = true;
                }
                pause(Math.min(1000, leaseMillis() / 4));
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        username.ifPresent(name -> PGProperty.USER.set(properties, name));
        password.ifPresent(secret -> PGProperty.PASSWORD.set(properties, secret));
        int seconds = (int) Math.max(1, config.feed().lease().toSeconds());
        PGProperty.CONNECT_TIMEOUT.set(properties, seconds);
        PGProperty.LOGIN_TIMEOUT.set(properties, seconds);
        PGProperty.SOCKET_TIMEOUT.set(properties, seconds);
        PGProperty.TCP_KEEP_ALIVE.set(properties, true);
        PGProperty.APPLICATION_NAME.set(properties, APPLICATION_NAME);
        Connection connection = DriverManager.getConnection(url, properties);
        connection.setNetworkTimeout(Runnable::run, (int) Math.max(100, leaseMillis() / 2));
        connection.setAutoCommit(true);
        return connection;
    }

    private static void listen(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + ChangeLog.CHANNEL);
        }
    }

    /**
     * With LISTEN in place: applies what was missed, or starts over when the log no longer reaches back, or ends
     * before the last applied change (a failover to a replica that had not received it hands those numbers out
     * again, and reading after the last applied one would skip the new changes).
     */
    private void catchUp(Connection connection) throws SQLException {
        long sent = System.nanoTime();
        long latest = ChangeLog.latest(connection);
        if (lastApplied < 0 || latest < lastApplied || !ChangeLog.reachesBackTo(connection, lastApplied)) {
            boolean reset = lastApplied >= 0;
            staleness.fire(new CachesStale()); // everything is re-read from the tables, which include up to latest
            lastApplied = latest;
            if (reset) {
                LOG.warn("The change log no longer reaches back to, or ends before, the last applied change: caches"
                        + " started over");
                advances.fire(new FeedAdvanced(List.of(), true));
            }
        }
        applyNew(connection);
        provenAliveAt = sent;
        caughtUp = true;
        firstCatchUp.countDown();
    }

    private void receive(Connection connection) throws SQLException {
        PGConnection feed = connection.unwrap(PGConnection.class);
        int interval = (int) Math.max(50, leaseMillis() / 4);
        while (running) {
            PGNotification[] notifications = feed.getNotifications(interval); // returns early on a NOTIFY
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    checkPayload(notification.getParameter());
                }
            }
            long sent = System.nanoTime();
            applyNew(connection); // the round trip that proves the feed alive, NOTIFY or not
            provenAliveAt = sent;
            pruneNowAndThen(connection);
        }
    }

    /** Anyone may NOTIFY the channel: a payload that is not a sequence number is logged and otherwise ignored. */
    private static void checkPayload(String payload) {
        if (payload == null || !payload.matches("[0-9]{1,18}")) {
            LOG.warnf("Ignored a malformed notification on %s (%d characters)", ChangeLog.CHANNEL,
                    payload == null ? 0 : payload.length());
        }
    }

    private void applyNew(Connection connection) throws SQLException {
        List<Change> batch;
        do {
            batch = ChangeLog.after(connection, lastApplied, BATCH);
            for (Change change : batch) {
                changes.fire(change);
                lastApplied = change.seq();
            }
            if (!batch.isEmpty()) {
                advances.fire(new FeedAdvanced(batch, false));
            }
        } while (batch.size() == BATCH);
    }

    private void refresh() {
        try {
            staleness.fire(new CachesStale());
        } catch (RuntimeException e) {
            LOG.warnf("Refreshing caches failed (%s); retried at the next refresh", e.getClass().getSimpleName());
        }
    }

    private void retryFailedReads() {
        try {
            retries.fire(new RetryFailedReads());
        } catch (RuntimeException e) {
            LOG.warnf("Retrying failed cache reads failed (%s); retried in a minute", e.getClass().getSimpleName());
        }
    }

    /**
     * On the feed's connection (a pooled one would show up on the hot path's connection count), in bounded batches,
     * at most once per {@link #PRUNE_EVERY} even if it fails: the log keeps the longest token lifetime plus skew.
     */
    private void pruneNowAndThen(Connection connection) throws SQLException {
        long now = System.nanoTime();
        if (now - lastPrune < PRUNE_EVERY.toNanos()) {
            return;
        }
        lastPrune = now;
        Duration keep = config.tokenLifetime().plus(config.clockSkew()).plusMinutes(1);
        ChangeLog.prune(connection, clock.instant().minus(keep));
    }

    private long leaseMillis() {
        return config.feed().lease().toMillis();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
