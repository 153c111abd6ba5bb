package io.latchkey.cluster;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.latchkey.TcpRelay;
import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The lease on memory under a real network fault: this instance reaches PostgreSQL only through a
 * {@link TcpRelay}; "another instance" changes the database on a direct connection. Cut off, the instance
 * must stop vouching for tokens within the lease plus one second (503 or inactive, never a stale active, never 500),
 * and serve correct answers again by itself once the link is back.
 */
@QuarkusTest
@TestProfile(FeedLeaseTest.ThroughRelay.class)
class FeedLeaseTest {

    private static final long LEASE_MILLIS = 2000;

    public static class ThroughRelay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "latchkey.feed.lease", "PT2S",
                    // the pool's connections cross the relay too: a stalled one must give up, not hang a request
                    "quarkus.datasource.jdbc.additional-jdbc-properties.socketTimeout", "5",
                    // Quarkus' own datasource check would wait on a stalled pooled connection; the feed's check decides
                    "quarkus.datasource.health.enabled", "false");
        }

        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(DatabaseBehindRelay.class));
        }
    }

    /** An embedded PostgreSQL of this class's own, which the service reaches only through the relay. */
    public static class DatabaseBehindRelay implements QuarkusTestResourceLifecycleManager {
        static EmbeddedPostgres database;
        static TcpRelay relay;

        @Override
        public Map<String, String> start() {
            try {
                database = EmbeddedPostgres.builder().start();
                relay = new TcpRelay(database.getPort());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + relay.port() + "/postgres",
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres");
        }

        @Override
        public void stop() {
            try {
                relay.close();
                database.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Another instance: a direct connection, past the relay. */
    private static Connection otherInstance() throws SQLException {
        return DriverManager.getConnection(DatabaseBehindRelay.database.getJdbcUrl("postgres", "postgres"));
    }

    @BeforeEach
    void awaitReady() throws InterruptedException {
        DatabaseBehindRelay.relay.resume();
        long started = System.nanoTime();
        while (given().when().get("/q/health/ready").statusCode() != 200) {
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "not ready within 20 s");
            Thread.sleep(100);
        }
    }

    @AfterEach
    void resume() {
        DatabaseBehindRelay.relay.resume();
    }

    private static String kidOf(String token) {
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        return JsonPath.from(header).getString("kid");
    }

    private static Response introspect(TestClient client, String token) {
        return given().auth().preemptive().basic(client.clientId(), client.secret())
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect");
    }

    private static boolean vouchesFor(Response response) {
        return response.statusCode() == 200 && Boolean.TRUE.equals(response.jsonPath().get("active"));
    }

    private static void retireByAnotherInstance(TestUser user, String kid) throws SQLException {
        try (Connection connection = otherInstance()) {
            connection.setAutoCommit(false);
            try (PreparedStatement retire = connection.prepareStatement(
                    "UPDATE signing_keys SET retired_at = now() WHERE kid = ? AND retired_at IS NULL")) {
                retire.setString(1, kid);
                assertEquals(1, retire.executeUpdate());
            }
            ChangeLog.insert(connection, Change.keyRetired(kid, user.id()));
            connection.commit();
        }
    }

    @Test
    void blackholedInstanceStopsVouchingWithinTheLeaseAndRecoversByItself() throws Exception {
        TestClient client = TestApi.createClient("introspect");
        TestUser user = TestApi.createUser("lease-cut");
        String token = TestApi.login(user);
        String bystander = TestApi.login(TestApi.createUser("lease-bystander"));
        assertTrue(vouchesFor(introspect(client, token)), "active and cached before the cut");
        assertTrue(vouchesFor(introspect(client, bystander)));

        // when the link is blackholed and another instance rotates the user's key
        DatabaseBehindRelay.relay.blackhole();
        long cut = System.nanoTime();
        retireByAnotherInstance(user, kidOf(token));

        // then within lease + 1 s this instance no longer says active (503 or inactive), and never answers 500
        Map<Integer, Integer> statuses = new TreeMap<>();
        long failedClosedAfter = -1;
        while (System.nanoTime() - cut < Duration.ofSeconds(10).toNanos()) {
            Response response = introspect(client, token);
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (!vouchesFor(response)) {
                failedClosedAfter = (System.nanoTime() - cut) / 1_000_000;
                if (response.statusCode() == 503) {
                    assertTrue(response.header("Retry-After") != null, "503 says when to retry");
                    assertEquals("temporarily_unavailable", response.jsonPath().getString("error"));
                }
                break;
            }
            Thread.sleep(20);
        }
        System.out.println("[lease] a blackholed instance stopped vouching after " + failedClosedAfter
                + " ms (lease " + LEASE_MILLIS + " ms); statuses meanwhile " + statuses);
        assertTrue(failedClosedAfter >= 0, "still active 10 s after the cut");
        assertTrue(failedClosedAfter <= LEASE_MILLIS + 1000, "took " + failedClosedAfter + " ms");
        assertTrue(!statuses.containsKey(500), "no 500: " + statuses);
        Response stillCut = introspect(client, bystander);
        assertTrue(stillCut.statusCode() == 503 || vouchesFor(stillCut),
                "the bystander is answered 503 (or, if the database answers, correctly): " + stillCut.statusCode());
        assertEquals(503, given().when().get("/q/health/ready").statusCode(), "not ready while the lease is lapsed");

        // when the link comes back, correct answers again, by itself
        DatabaseBehindRelay.relay.resume();
        long resumed = System.nanoTime();
        while (!vouchesFor(introspect(client, bystander))) {
            assertTrue(System.nanoTime() - resumed < Duration.ofSeconds(15).toNanos(), "did not recover within 15 s");
            Thread.sleep(50);
        }
        System.out.println("[lease] serving again " + (System.nanoTime() - resumed) / 1_000_000 + " ms after the link returned");
        Response rotated = introspect(client, token);
        assertEquals(200, rotated.statusCode());
        assertEquals(false, rotated.jsonPath().get("active"), "the change made while cut off is applied");
        assertEquals(200, given().when().get("/q/health/ready").statusCode());
    }

    @Test
    void tokenChecksAnswerWithinThreeSecondsAndNever500WhileTheLinkIsStalled() throws Exception {
        TestClient client = TestApi.createClient("introspect");
        String token = TestApi.login(TestApi.createUser("lease-stall"));
        assertTrue(vouchesFor(introspect(client, token)));

        DatabaseBehindRelay.relay.blackhole();
        long cut = System.nanoTime();
        long slowest = 0;
        while (System.nanoTime() - cut < Duration.ofMillis(LEASE_MILLIS * 2).toNanos()) {
            long started = System.nanoTime();
            int status = introspect(client, token).statusCode();
            slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
            assertTrue(status == 200 || status == 503, "status " + status);
            long forwardStarted = System.nanoTime();
            int forward = given().auth().oauth2(token).when().get("/auth").then().extract().statusCode();
            slowest = Math.max(slowest, (System.nanoTime() - forwardStarted) / 1_000_000);
            assertTrue(forward == 204 || forward == 503, "/auth " + forward);
        }

        assertTrue(slowest < 3000, "a check took " + slowest + " ms");
    }
}
