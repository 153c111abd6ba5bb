package io.latchkey.gateway;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.latchkey.cluster.ChangeLog;
import io.latchkey.cluster.FeedAdvanced;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.error.Refusal;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The change log as Server-Sent Events ({@code GET /events}): fanned out from this instance's change feed (no
 * query per subscriber per event), a replay from the log for a resuming subscriber (then live with no gap and no
 * duplicate), a heartbeat so a subscriber can tell a live stream from a cut one, and bounds: at most
 * {@code latchkey.events.max-subscribers} streams, and memory that does not grow with a slow subscriber. Live
 * events are held once, in {@link RecentEvents}; each stream writes from there as fast as its client reads, and one
 * that falls further behind than it holds, or does not read for a heartbeat interval, is dropped (it reconnects
 * and resumes).
 */
@ApplicationScoped
public class EventStream {

    private static final Logger LOG = Logger.getLogger(EventStream.class);
    /** Live events held for all streams (about 2 MB); a stream further behind is dropped and resumes from the log. */
    private static final int RECENT = 10_000;
    private static final int REPLAY_BATCH = 1000;
    /** How long a replay waits for its client to read before the stream is dropped. */
    private static final Duration REPLAY_PATIENCE = Duration.ofSeconds(10);
    private static final Set<String> STREAMED_KINDS = Arrays.stream(Change.Kind.values())
            .filter(Change.Kind::streamed).map(Change.Kind::wireName).collect(Collectors.toUnmodifiableSet());

    @Inject
    ChangeFeed feed;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    LatchkeyConfig config;

    private final RecentEvents recent = new RecentEvents(RECENT);
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    /** The heartbeats' {@code latest}: the newest streamed change applied here; -1 until read from the log. */
    private final AtomicLong latestStreamed = new AtomicLong(-1);
    private ScheduledExecutorService heartbeats;

    void start(@Observes StartupEvent event) {
        heartbeats = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "latchkey-events-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long every = config.events().heartbeat().toMillis();
        heartbeats.scheduleAtFixedRate(() -> subscribers.forEach(this::heartbeat), every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        subscribers.forEach(Subscriber::close);
    }

    /**
     * Streams to {@code response}: a heartbeat, then every change after {@code after} (when given) from the log, or
     * {@code reset} when the log no longer reaches back, then live changes. 503 beyond the subscriber limit.
     */
    public void subscribe(HttpServerResponse response, Long after) {
        if (open.incrementAndGet() > config.events().maxSubscribers()) {
            open.decrementAndGet();
            throw Refusal.temporarilyUnavailable("Too many event streams are open on this instance; retry shortly.",
                    Duration.ofSeconds(5));
        }
        // its place in the recent events is taken before the replay reads the log: what is applied meanwhile waits
        Subscriber subscriber = new Subscriber(response, after == null ? feed.lastApplied() : after, recent.next());
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no")
                .closeHandler(closed -> unsubscribe(subscriber))
                .exceptionHandler(failed -> subscriber.close());
        subscribers.add(subscriber);
        heartbeat(subscriber);
        if (after == null) {
            subscriber.goLive();
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!ChangeLog.reachesBackTo(connection, after)) {
                subscriber.reset(feed.lastApplied());
            } else {
                replay(connection, subscriber);
            }
            subscriber.goLive();
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Replaying the change log to a subscriber failed (%s); its stream is closed", e.getClass().getSimpleName());
            subscriber.close(); // it reconnects with its Last-Event-ID
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            subscriber.close();
        }
    }

    /** The log after the subscriber's position, written as fast as its client reads (a worker thread may wait). */
    private static void replay(Connection connection, Subscriber subscriber) throws SQLException, InterruptedException {
        List<Change> batch;
        do {
            batch = ChangeLog.after(connection, subscriber.lastSent(), REPLAY_BATCH);
            for (Change change : batch) {
                if (!subscriber.awaitWritable(REPLAY_PATIENCE)) {
                    LOG.debug("An event subscriber does not read its replay; its stream is closed");
                    subscriber.close();
                    return;
                }
                subscriber.replay(change);
            }
        } while (batch.size() == REPLAY_BATCH && !subscriber.closed());
    }

    /** On the feed's thread: never waits for a subscriber; each writes what its connection takes now. */
    void onAdvance(@Observes FeedAdvanced advanced) {
        long newestStreamed = -1;
        for (Change change : advanced.changes()) {
            Optional<String> event = eventOf(change);
            if (event.isPresent()) {
                recent.append(change.seq(), event.get());
                newestStreamed = change.seq();
            }
        }
        if (advanced.reset()) {
            latestStreamed.set(-1); // what the log now holds is read again at the next heartbeat
        }
        for (Subscriber subscriber : subscribers) {
            if (advanced.reset()) {
                subscriber.reset(feed.lastApplied());
            }
            subscriber.pump();
        }
        // only once the events are on their way: a heartbeat does not announce one its stream was not given
        if (newestStreamed >= 0) {
            latestStreamed.accumulateAndGet(newestStreamed, Math::max);
        }
    }

    private void heartbeat(Subscriber subscriber) {
        // no heartbeat while this instance's own feed may be behind: the subscriber must not think it is up to date
        if (!feed.memoryTrusted()) {
            return;
        }
        long latest = latestStreamed();
        if (latest >= 0) {
            subscriber.heartbeat("event: heartbeat\ndata: " + new JsonObject().put("latest", latest).encode() + "\n\n");
        }
    }

    /** The newest sequence of a streamed kind applied here: read from the log once, then kept by the feed's events. */
    private long latestStreamed() {
        long known = latestStreamed.get();
        if (known >= 0) {
            return known;
        }
        try (Connection connection = dataSource.getConnection()) {
            return latestStreamed.accumulateAndGet(ChangeLog.newestOf(connection, feed.lastApplied(), STREAMED_KINDS),
                    Math::max);
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Reading the newest streamed change failed (%s); no heartbeat", e.getClass().getSimpleName());
            return -1;
        }
    }

    private void unsubscribe(Subscriber subscriber) {
        if (subscribers.remove(subscriber)) {
            open.decrementAndGet();
        }
    }

    /** One open stream. Every write goes through this object's lock, so events leave in sequence order. */
    private final class Subscriber {
        private final HttpServerResponse response;
        /** The sequence of the last change sent or covered (by the start, or a reset): anything at or below is skipped. */
        private long lastSent;
        /** The next of the recent events to write. */
        private long position;
        private boolean live;
        private boolean closed;
        /** Whether the connection was full at the last heartbeat, and whether it drained since. */
        private boolean fullAtLastHeartbeat;
        private boolean drainedSinceHeartbeat;

        Subscriber(HttpServerResponse response, long after, long position) {
            this.response = response;
            this.lastSent = after;
            this.position = position;
        }

        synchronized long lastSent() {
            return lastSent;
        }

        synchronized boolean closed() {
            return closed;
        }

        /** Whether the connection takes more within {@code patience} (false once closed). */
        boolean awaitWritable(Duration patience) throws InterruptedException {
            CompletableFuture<Void> drained = new CompletableFuture<>();
            synchronized (this) {
                if (closed || !response.writeQueueFull()) {
                    return !closed;
                }
                response.drainHandler(writable -> {
                    drained();
                    drained.complete(null);
                });
                if (!response.writeQueueFull()) {
                    return true; // drained before the handler was in place
                }
            }
            try {
                drained.get(patience.toMillis(), TimeUnit.MILLISECONDS);
                return !closed();
            } catch (TimeoutException | ExecutionException e) {
                return false;
            }
        }

        synchronized void replay(Change change) {
            if (closed || change.seq() <= lastSent) {
                return;
            }
            lastSent = change.seq();
            eventOf(change).ifPresent(text -> response.write(Buffer.buffer(text)));
        }

        synchronized void goLive() {
            live = true;
            pump();
        }

        /** Writes the recent events this stream has not had, while its connection takes them. */
        synchronized void pump() {
            while (live && !closed) {
                if (response.writeQueueFull()) {
                    response.drainHandler(writable -> {
                        drained();
                        pump();
                    });
                    return;
                }
                RecentEvents.Entry entry = recent.at(position);
                if (entry == null) {
                    return;
                }
                if (entry == RecentEvents.OVERWRITTEN) {
                    LOG.debug("An event subscriber fell too far behind; its stream is closed");
                    close();
                    return;
                }
                position++;
                if (entry.seq() > lastSent) {
                    lastSent = entry.seq();
                    response.write(Buffer.buffer(entry.text()));
                }
            }
        }

        /**
         * {@code reset}: the client drops what it cached, so nothing up to {@code point} (what this instance has
         * applied) is sent after it. It must not be lost: a client that cannot take it now is dropped, and its
         * reconnect resets again.
         */
        synchronized void reset(long point) {
            if (closed) {
                return;
            }
            if (response.writeQueueFull()) {
                LOG.debug("An event subscriber cannot take a reset; its stream is closed");
                close();
                return;
            }
            response.write(Buffer.buffer("event: reset\ndata: {}\n\n"));
            lastSent = Math.max(lastSent, point);
        }

        synchronized void drained() {
            drainedSinceHeartbeat = true;
        }

        /**
         * After what is pending; skipped while the connection is full. Full at two heartbeats with nothing drained in
         * between: the client has stopped reading, and the stream is dropped.
         */
        synchronized void heartbeat(String text) {
            pump();
            if (closed) {
                return;
            }
            if (response.writeQueueFull()) {
                if (fullAtLastHeartbeat && !drainedSinceHeartbeat) {
                    LOG.debug("An event subscriber has not read for a heartbeat interval; its stream is closed");
                    close();
                }
                fullAtLastHeartbeat = true;
                drainedSinceHeartbeat = false;
                return;
            }
            fullAtLastHeartbeat = false;
            response.write(Buffer.buffer(text));
        }

        synchronized void close() {
            if (!closed) {
                closed = true;
                response.close();
            }
            unsubscribe(this);
        }
    }

    /** The SSE text of {@code change}; empty for kinds verifiers are not told about. */
    static Optional<String> eventOf(Change change) {
        if (!change.kind().streamed()) {
            return Optional.empty();
        }
        String sub = change.userId() == null ? null : change.userId().toString();
        JsonObject data = switch (change.kind()) {
            case KEY_RETIRED -> new JsonObject().put("kid", change.kid()).put("sub", sub);
            case TOKEN_REVOKED -> new JsonObject().put("jti", change.jti()).put("sub", sub).put("exp", change.expiresAt());
            case USER_DISABLED, USER_DELETED -> new JsonObject().put("sub", sub);
            case CLIENT_CHANGED -> throw new IllegalArgumentException("not streamed");
        };
        return Optional.of("id: " + change.seq() + "\nevent: " + change.kind().wireName() + "\ndata: "
                + data.encode() + "\n\n");
    }
}
