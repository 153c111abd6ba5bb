package io.latchkey.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test's subscriber to {@code GET /events}: reads the stream on a thread of its own and queues each event with
 * its raw lines, so a test can wait for one with a deadline and check the exact wire format.
 */
final class EventSubscriber implements AutoCloseable {

    /** One event: its fields, and the lines it arrived as. */
    record Event(String id, String event, String data, List<String> lines, long receivedAtNanos) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;

    private EventSubscriber(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "test-event-subscriber");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static EventSubscriber open(URI events, String clientId, String secret, String lastEventId) throws Exception {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(events).header("Authorization", "Basic " + basic).GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return new EventSubscriber(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            List<String> raw = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isEmpty()) {
                    raw.add(line);
                    continue;
                }
                String id = null;
                String event = null;
                String data = null;
                for (String field : raw) {
                    if (field.startsWith("id: ")) {
                        id = field.substring(4);
                    } else if (field.startsWith("event: ")) {
                        event = field.substring(7);
                    } else if (field.startsWith("data: ")) {
                        data = field.substring(6);
                    }
                }
                events.add(new Event(id, event, data, List.copyOf(raw), System.nanoTime()));
                raw.clear();
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    /** The next event, waiting up to {@code timeout}; fails the test when none comes. */
    Event next(Duration timeout) throws InterruptedException {
        Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return event;
    }

    /** The next event that is not a heartbeat. */
    Event nextChange(Duration timeout) throws InterruptedException {
        return next(timeout, e -> !"heartbeat".equals(e.event()));
    }

    /** The next event matching {@code wanted}, skipping the others, within {@code timeout} in all. */
    Event next(Duration timeout, Predicate<Event> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (event == null) {
                throw new AssertionError("no matching event within " + timeout);
            }
            if (wanted.test(event)) {
                return event;
            }
        }
    }

    /** The changes (not heartbeats) received until none has come for {@code quiet}. */
    List<Event> changesUntilQuiet(Duration quiet) throws InterruptedException {
        List<Event> changes = new ArrayList<>();
        long quietUntil = System.nanoTime() + quiet.toNanos();
        long left;
        while ((left = quietUntil - System.nanoTime()) > 0) {
            Event event = events.poll(left, TimeUnit.NANOSECONDS);
            if (event != null && !"heartbeat".equals(event.event())) {
                changes.add(event);
                quietUntil = System.nanoTime() + quiet.toNanos();
            }
        }
        return changes;
    }

    @Override
    public void close() throws IOException {
        response.body().close();
        reader.interrupt();
    }
}
