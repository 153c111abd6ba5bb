package io.latchkey.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Continuous {@code POST /introspect} of one valid token through nginx, on a few threads, each waiting for its
 * answer before the next request; counts the statuses by the upstream that answered ({@code X-Upstream}), the
 * answers that called the token inactive, and the requests that got no answer at all.
 */
final class IntrospectionLoad {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final HttpRequest request;
    private final Map<String, Map<Integer, LongAdder>> statuses = new ConcurrentHashMap<>();
    private final LongAdder notActive = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    IntrospectionLoad(URI introspect, ClusterApi.Client client, String activeToken) {
        this.request = ClusterApi.introspection(introspect, client, activeToken);
    }

    void start(int threadCount) {
        running = true;
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::run, "introspection-load-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(15_000);
        }
        threads.clear();
    }

    private void run() {
        while (running) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                statuses.computeIfAbsent(ClusterApi.answeredBy(response), upstream -> new ConcurrentHashMap<>())
                        .computeIfAbsent(response.statusCode(), status -> new LongAdder()).increment();
                if (response.statusCode() == 200 && !response.body().contains("\"active\":true")) {
                    notActive.increment();
                }
            } catch (IOException e) {
                failures.increment();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Answers (any status) from {@code upstream} so far. */
    long answeredBy(String upstream) {
        return statuses.getOrDefault(upstream, Map.of()).values().stream().mapToLong(LongAdder::sum).sum();
    }

    long serverErrorsBy(String upstream) {
        return statuses.getOrDefault(upstream, Map.of()).entrySet().stream().filter(e -> e.getKey() >= 500)
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** 200 answers that did not say {@code "active":true} for the valid token. */
    long notActive() {
        return notActive.sum();
    }

    /** Requests that got no HTTP answer (connection refused or cut, timeout). */
    long failures() {
        return failures.sum();
    }

    /** Statuses by upstream, and the failures: for the report. */
    String counts() {
        Map<String, Map<Integer, Long>> copy = new TreeMap<>();
        statuses.forEach((upstream, byStatus) -> {
            Map<Integer, Long> counts = new TreeMap<>();
            byStatus.forEach((status, count) -> counts.put(status, count.sum()));
            copy.put(upstream, counts);
        });
        return copy + ", no answer " + failures.sum();
    }
}
