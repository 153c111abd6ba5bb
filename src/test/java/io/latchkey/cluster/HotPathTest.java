package io.latchkey.cluster;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * In steady state, checking a token (introspection or forward auth) takes keys, revocations and clients from
 * memory: counted by the connection pool, a burst of checks acquires no database connection.
 */
@QuarkusTest
class HotPathTest {

    private static final int BURST = 200;

    /** Counts the periodic safety-net refresh, which may use the database while a burst runs. */
    @Singleton
    static class RefreshCounter {
        final AtomicLong refreshes = new AtomicLong();

        void onStale(@Observes CachesStale stale) {
            refreshes.incrementAndGet();
        }
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    RefreshCounter refreshCounter;

    private long acquisitions() {
        return dataSource.getMetrics().acquireCount();
    }

    /** Acquisitions made while {@code burst} ran; repeated if the safety-net refresh happened meanwhile. */
    private long acquisitionsDuring(Runnable burst) {
        for (int attempt = 0; attempt < 3; attempt++) {
            long refreshesBefore = refreshCounter.refreshes.get();
            long before = acquisitions();
            burst.run();
            long after = acquisitions();
            if (refreshCounter.refreshes.get() == refreshesBefore) {
                return after - before;
            }
        }
        throw new AssertionError("a cache refresh overlapped every burst");
    }

    @Test
    void poolCountsAcquisitionsSoTheProofBelowCanFail() {
        long before = acquisitions();

        TestApi.createUser("hot-sanity"); // admin login and user creation use the database

        assertTrue(acquisitions() > before, "datasource metrics must be enabled");
    }

    @Test
    void introspectionBurstMakesNoDatabaseRoundTrip() {
        TestClient client = TestApi.createClient("introspect");
        String token = TestApi.login(TestApi.createUser("hot-introspect", "reader"));
        String revoked = TestApi.login(TestApi.createUser("hot-revoked"));
        given().auth().oauth2(revoked).when().post("/logout").then().statusCode(204);
        Runnable introspections = () -> introspect(client, token, revoked, BURST);
        introspect(client, token, revoked, 4); // warm up: the first checks load the key and the client

        long acquired = acquisitionsDuring(introspections);

        assertEquals(0, acquired, "connections acquired during " + BURST + " introspections");
    }

    private static void introspect(TestClient client, String token, String revoked, int times) {
        for (int i = 0; i < times; i++) {
            boolean active = given().auth().preemptive().basic(client.clientId(), client.secret())
                    .contentType(ContentType.URLENC).formParam("token", i % 2 == 0 ? token : revoked)
                    .when().post("/introspect")
                    .then().statusCode(200)
                    .extract().path("active");
            assertEquals(i % 2 == 0, active);
        }
    }

    @Test
    void forwardAuthBurstMakesNoDatabaseRoundTrip() {
        String token = TestApi.login(TestApi.createUser("hot-auth", "reader"));
        Runnable checks = () -> forwardAuth(token, BURST);
        forwardAuth(token, 4); // warm up

        long acquired = acquisitionsDuring(checks);

        assertEquals(0, acquired, "connections acquired during " + BURST + " forward-auth checks");
    }

    private static void forwardAuth(String token, int times) {
        for (int i = 0; i < times; i++) {
            given().auth().oauth2(token)
                    .queryParam("role", "reader")
                    .when().get("/auth")
                    .then().statusCode(204);
        }
    }

    @Test
    void unknownKidIsLookedUpOnceNotPerRequest() throws Exception {
        TestClient client = TestApi.createClient("introspect");
        String token = TestApi.login(TestApi.createUser("hot-unknown"));
        String[] parts = token.split("\\.");
        String header = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"no-such-kid-for-hot-path\"}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String forged = header + "." + parts[1] + "." + parts[2];
        Runnable introspections = () -> {
            for (int i = 0; i < BURST; i++) {
                given().auth().preemptive().basic(client.clientId(), client.secret())
                        .contentType(ContentType.URLENC).formParam("token", forged)
                        .when().post("/introspect")
                        .then().statusCode(200);
            }
        };

        long acquired = acquisitionsDuring(introspections);

        assertTrue(acquired <= 2, "the client and the unknown kid are each looked up once at most: " + acquired);
    }
}
