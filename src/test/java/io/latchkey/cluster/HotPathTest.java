package io.latchkey.cluster;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.token.TokenForge;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * In steady state, checking a token (introspection or forward auth) takes keys, revocations and clients from
 * memory: counted by the connection pool, a burst of checks acquires no database connection.
 */
@QuarkusTest
class HotPathTest {

    private static final int BURST = 200;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    CacheRefreshes refreshes;
    @Inject
    LatchkeyConfig config;

    private long acquisitions() {
        return dataSource.getMetrics().acquireCount();
    }

    /** Acquisitions made while {@code burst} ran; repeated if the safety-net refresh happened meanwhile. */
    private long acquisitionsDuring(Runnable burst) {
        return refreshes.withoutOverlap(() -> {
            long before = acquisitions();
            burst.run();
            return acquisitions() - before;
        });
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
    void unknownKidIsLookedUpOnceThenRememberedAsUnknown() {
        // given: a token that names a well-formed kid (a random UUID) no key has, and a client already cached
        TestClient client = TestApi.createClient("introspect");
        TestApi.TestUser user = TestApi.createUser("hot-unknown");
        introspectInactive(client, "not-a-token");
        long[] firstAndNext = refreshes.withoutOverlap(() -> {
            String forged = TokenForge.hs256(new TokenForge(config).validClaims(user.id(), user.username()),
                    UUID.randomUUID().toString(), new SecretKeySpec(new byte[32], "HmacSHA256"));

            // when: the kid is checked once, then twenty times more
            long first = acquisitionsDuringOne(() -> introspectInactive(client, forged));
            long next = acquisitionsDuringOne(() -> {
                for (int i = 0; i < 20; i++) {
                    introspectInactive(client, forged);
                }
            });
            return new long[] {first, next};
        });

        // then: the first check looked the kid up in the database, the later ones remembered it was unknown
        assertTrue(firstAndNext[0] >= 1, "the unknown kid was looked up in the database");
        assertEquals(0, firstAndNext[1], "connections acquired by later checks of the unknown kid");
    }

    @Test
    void forgedTokensNamingFreshKidsTakeNoConnection() {
        // given: tokens each naming a kid never seen before, shaped like this service's (a version-8 UUID) but not
        // minted by it, as an attacker would send to make every check a database query
        TestClient client = TestApi.createClient("introspect");
        TestApi.TestUser user = TestApi.createUser("hot-fresh-kids");
        introspectInactive(client, "not-a-token");
        java.util.Random random = new java.util.Random();
        long acquired = refreshes.withoutOverlap(() -> acquisitionsDuringOne(() -> {
            for (int i = 0; i < 50; i++) {
                UUID kid = new UUID((random.nextLong() & ~0xf000L) | 0x8000L,
                        (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L);
                // when
                introspectInactive(client, TokenForge.hs256(new TokenForge(config).validClaims(user.id(),
                        user.username()), kid.toString(), new SecretKeySpec(new byte[32], "HmacSHA256")));
            }
        }));

        // then: told apart from the service's own kids without a query
        assertEquals(0, acquired, "connections acquired by 50 checks of fresh forged kids");
    }

    @Test
    void randomClientIdsTakeNoConnection() {
        // given: a token to introspect, and 50 Basic credentials of client ids that were never created
        String token = TestApi.login(TestApi.createUser("hot-random-clients"));
        long acquired = refreshes.withoutOverlap(() -> acquisitionsDuringOne(() -> {
            for (int i = 0; i < 50; i++) {
                // when
                given().auth().preemptive().basic("random-" + UUID.randomUUID(), "whatever-secret")
                        .contentType(ContentType.URLENC).formParam("token", token)
                        .when().post("/introspect")
                        .then().statusCode(401);
            }
        }));

        // then
        assertEquals(0, acquired, "connections acquired by 50 introspections with random client ids");
    }

    @Test
    void aClientCreatedAfterStartAuthenticatesAtOnce() {
        // given: a client created now (after the ids were read at start-up)
        TestClient client = TestApi.createClient("introspect");

        // when / then
        introspectInactive(client, "not-a-token");
    }

    private long acquisitionsDuringOne(Runnable run) {
        long before = acquisitions();
        run.run();
        return acquisitions() - before;
    }

    private static void introspectInactive(TestClient client, String token) {
        given().auth().preemptive().basic(client.clientId(), client.secret())
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(200)
                .body("active", equalTo(false));
    }
}
