package io.latchkey.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Liveness and readiness, including a real database outage: this class runs against its own PostgreSQL
 * ({@link RestartableDatabase}), which a test stops and starts again on the same port and data.
 */
@QuarkusTest
@TestProfile(HealthTest.OwnDatabase.class)
class HealthTest {

    /** Bounds every health request: an answer must come quickly, a hanging probe fails the test. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    @TestHTTPResource("/q/health/live")
    URI live;
    @TestHTTPResource("/q/health/ready")
    URI ready;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

    @Test
    void liveIsUp() {
        given().when().get("/q/health/live")
                .then().statusCode(200)
                .body("status", equalTo("UP"));
    }

    @Test
    void readyIsUpWithTheDatabase() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
    }

    @Test
    void readyIsDownWhileTheDatabaseIsUnreachableAndRecoversByItself() throws Exception {
        // given a service that is ready, with several pooled connections (all of them broken by the outage)
        assertEquals(200, probe(ready));
        concurrentLogins(4);

        // when the database stops
        RestartableDatabase.stopServer();
        try {
            // then ready answers 503 promptly, while the process stays live
            assertEquals(503, eventually(ready, 503, Duration.ofSeconds(15)));
            assertEquals(503, probe(ready));
            assertEquals(200, probe(live));
        } finally {
            // when the database comes back (same port, same data)
            RestartableDatabase.startServer();
        }

        // then ready is UP again without a restart of the service, and requests work again (no stale connection)
        assertEquals(200, eventually(ready, 200, Duration.ofSeconds(30)));
        for (int i = 0; i < 10; i++) {
            assertTrue(TestApi.adminToken().length() > 0);
        }
        concurrentLogins(4);
    }

    private static void concurrentLogins(int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<String>> logins = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                logins.add(pool.submit(TestApi::adminToken));
            }
            for (Future<String> login : logins) {
                assertTrue(login.get(30, TimeUnit.SECONDS).length() > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The status of a GET that must answer within {@link #PROBE_TIMEOUT}. */
    private int probe(URI uri) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT).GET().build();
        long started = System.nanoTime();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return fail(uri.getPath() + " did not answer within " + PROBE_TIMEOUT + " (after "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms): " + e);
        }
    }

    /** Probes {@code uri} until it answers {@code expected} or {@code within} has passed; returns the last status. */
    private int eventually(URI uri, int expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        int status = probe(uri);
        while (status != expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = probe(uri);
        }
        return status;
    }

    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RestartableDatabase.class));
        }
    }

    /**
     * A PostgreSQL of this test class's own, on a fixed free port with a data directory that survives a stop,
     * so the test can take it away and bring the same database back.
     */
    public static class RestartableDatabase implements QuarkusTestResourceLifecycleManager {

        private static int port;
        private static Path dataDirectory;
        private static volatile EmbeddedPostgres server;

        @Override
        public Map<String, String> start() {
            try {
                port = freePort();
                dataDirectory = Files.createTempDirectory("latchkey-health-pg");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            startServer();
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres",
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres");
        }

        @Override
        public void stop() {
            stopServer();
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }

        static synchronized void startServer() {
            try {
                server = EmbeddedPostgres.builder()
                        .setPort(port)
                        .setDataDirectory(dataDirectory)
                        .setCleanDataDirectory(false)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static synchronized void stopServer() {
            if (server == null) {
                return;
            }
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                server = null;
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }
    }
}
