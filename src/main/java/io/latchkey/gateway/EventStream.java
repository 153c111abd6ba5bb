package io.latchkey.gateway;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 * query per subscriber per event), a replay from the log for a resuming subscriber (one query, then live with no
 * gap and no duplicate), a heartbeat so a subscriber can tell a live stream from a cut one, and bounds: at most
 * {@code latchkey.events.max-subscribers} streams, and a subscriber that does not keep up is dropped.
 */
@ApplicationScoped
public class EventStream {

    private static final Logger LOG = Logger.getLogger(EventStream.class);
    /** Live events held for a subscriber while its replay runs; beyond this it is dropped (it reconnects and resumes). */
    private static final int MAX_HELD = 10_000;
    private static final int REPLAY_BATCH = 1000;

    @Inject
    ChangeFeed feed;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    LatchkeyConfig config;

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
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
        Subscriber subscriber = new Subscriber(response, after == null ? feed.lastApplied() : after);
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no")
                .closeHandler(closed -> unsubscribe(subscriber))
                .exceptionHandler(failed -> subscriber.close());
        subscribers.add(subscriber); // before the replay reads the log: what commits meanwhile is held, not lost
        heartbeat(subscriber);
        if (after == null) {
            subscriber.goLive();
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!ChangeLog.reachesBackTo(connection, after)) {
                subscriber.reset();
            } else {
                List<Change> batch;
                do {
                    batch = ChangeLog.after(connection, subscriber.lastSent(), REPLAY_BATCH);
                    batch.forEach(subscriber::replay);
                } while (batch.size() == REPLAY_BATCH && !subscriber.closed());
            }
            subscriber.goLive();
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Replaying the change log to a subscriber failed (%s); its stream is closed", e.getClass().getSimpleName());
            subscriber.close(); // it reconnects with its Last-Event-ID
        }
    }

    void onAdvance(@Observes FeedAdvanced advanced) {
        for (Subscriber subscriber : subscribers) {
            if (advanced.reset()) {
                subscriber.reset();
            }
            advanced.changes().forEach(subscriber::live);
        }
    }

    private void heartbeat(Subscriber subscriber) {
        // no heartbeat while this instance's own feed may be behind: the subscriber must not think it is up to date
        if (feed.memoryTrusted()) {
            subscriber.write("event: heartbeat\ndata: " + new JsonObject().put("latest", feed.lastApplied()).encode()
                    + "\n\n");
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
        private long lastSent;
        private List<Change> held = new ArrayList<>();
        private boolean closed;

        Subscriber(HttpServerResponse response, long after) {
            this.response = response;
            this.lastSent = after;
        }

        synchronized long lastSent() {
            return lastSent;
        }

        synchronized boolean closed() {
            return closed;
        }

        synchronized void replay(Change change) {
            send(change);
        }

        synchronized void live(Change change) {
            if (held == null) {
                send(change);
            } else if (held.size() < MAX_HELD) {
                held.add(change);
            } else {
                close();
            }
        }

        synchronized void goLive() {
            List<Change> waiting = held;
            held = null;
            waiting.forEach(this::send);
        }

        synchronized void reset() {
            write("event: reset\ndata: {}\n\n");
        }

        /** Once each, in order: anything at or below what was sent already (replayed, then held) is skipped. */
        private void send(Change change) {
            if (change.seq() <= lastSent) {
                return;
            }
            lastSent = change.seq();
            eventOf(change).ifPresent(this::write);
        }

        synchronized void write(String text) {
            if (closed) {
                return;
            }
            if (response.writeQueueFull()) {
                LOG.debug("An event subscriber does not keep up; its stream is closed");
                close();
                return;
            }
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
    static java.util.Optional<String> eventOf(Change change) {
        String sub = change.userId() == null ? null : change.userId().toString();
        JsonObject data = switch (change.kind()) {
            case KEY_RETIRED -> new JsonObject().put("kid", change.kid()).put("sub", sub);
            case TOKEN_REVOKED -> new JsonObject().put("jti", change.jti()).put("sub", sub).put("exp", change.expiresAt());
            case USER_DISABLED, USER_DELETED -> new JsonObject().put("sub", sub);
            case CLIENT_CHANGED -> null;
        };
        if (data == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("id: " + change.seq() + "\nevent: " + change.kind().wireName() + "\ndata: "
                + data.encode() + "\n\n");
    }
}
