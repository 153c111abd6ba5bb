package io.latchkey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.ext.web.Router;

/**
 * Test-only: every status the service answers during the test run, as {@code METHOD <tab> path <tab> status}
 * lines under {@code target/observed-statuses/}. Recorded on the server, so it sees every test's requests
 * whatever client sent them; {@link DocumentedStatusesIT} checks them against openapi.yaml after the run.
 * The Maven build empties the directory before the tests run, so one run's observations are checked.
 */
@Singleton
public class ObservedStatuses {

    static final Path DIRECTORY = Path.of("target", "observed-statuses");

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Path file = DIRECTORY.resolve("statuses-" + ProcessHandle.current().pid() + "-" + System.nanoTime()
            + ".tsv");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            String method = ctx.request().method().name();
            String path = ctx.request().path();
            ctx.addEndHandler(done -> record(method, path, ctx.response().getStatusCode()));
            ctx.next();
        });
    }

    private void record(String method, String path, int status) {
        String line = method + '\t' + (path == null ? "" : path.replaceAll("[\\t\\r\\n]", "?")) + '\t' + status;
        if (!seen.add(line)) {
            return;
        }
        synchronized (this) {
            try {
                Files.createDirectories(DIRECTORY);
                Files.writeString(file, line + '\n', StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
