package io.latchkey.kits;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latchkey.TcpRelay;
import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.KeyService;
import io.latchkey.key.OtherAlgorithmKeys;
import io.latchkey.token.TokenForge;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The verifier kits (verifiers/java, node, python) against this running Latchkey, each as its CLI reaching
 * Latchkey through a relay the test can cut. A kit caches keys for their max-age (minutes), so a refusal within a
 * second of a rotation, logout or disable can only come from the event stream.
 */
@QuarkusTest
class VerifierKitsTest {

    /** The contract's bound for a change to reach a stream subscriber (and so a kit). */
    private static final Duration PROPAGATION = Duration.ofSeconds(1);
    /** The kits' lease in these tests: several heartbeats (the test profile beats every second). */
    private static final Duration LEASE = Duration.ofSeconds(4);
    /** Generous: kits start cold (a JVM) on a shared, loaded machine; not what is measured. */
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL latchkey;
    @Inject
    LatchkeyConfig config;
    @Inject
    KeyService keys;

    private TcpRelay relay;
    private TestClient client;
    private RunningKit kit;
    private final List<String> auditLines = new CopyOnWriteArrayList<>();
    private final Handler audit = new Handler() {
        @Override
        public void publish(LogRecord record) {
            auditLines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void relayAndClient() throws Exception {
        relay = new TcpRelay(latchkey.getHost(), latchkey.getPort());
        client = TestApi.createClient("keys:read", "events:read");
        Logger.getLogger("latchkey.audit").addHandler(audit);
    }

    @AfterEach
    void stopEverything() throws Exception {
        Logger.getLogger("latchkey.audit").removeHandler(audit);
        if (kit != null) {
            kit.close();
        }
        relay.close();
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void freshTokenIsAccepted(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-accept");
        String token = TestApi.login(user);

        String verdict = started(which).awaitVerdict(token, v -> v.startsWith("valid"), SETTLE);

        assertEquals("valid " + user.id() + " " + TestApi.claims(token).get("jti"), verdict);
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void tokenIsRefusedWithinOneSecondOfItsUsersRotation(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-rotate");
        String token = acceptedToken(which, user);

        given().auth().oauth2(token).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);

        assertRefusedWithinPropagation(token, "invalid unknown_kid");
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void tokenIsRefusedWithinOneSecondOfItsLogout(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-logout");
        String token = acceptedToken(which, user);

        given().auth().oauth2(token).when().post("/logout").then().statusCode(204);

        assertRefusedWithinPropagation(token, "invalid revoked");
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void tokenIsRefusedWithinOneSecondOfItsUsersDisable(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-disable");
        String token = acceptedToken(which, user);

        given().auth().oauth2(TestApi.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("enabled", false))
                .when().patch("/users/" + user.id())
                .then().statusCode(200);

        assertRefusedWithinPropagation(token, "invalid unknown_kid");
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void newKidIsFetchedOnceThenServedFromTheCache(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-newkid");
        String first = acceptedToken(which, user);
        given().auth().oauth2(first).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);
        assertRefusedWithinPropagation(first, "invalid unknown_kid"); // the rotation's event is behind us
        String second = TestApi.login(user);
        String kid = kidOf(second);

        for (int i = 0; i < 5; i++) {
            assertTrue(kit.verdict(second).startsWith("valid"), "the token of the new key is accepted");
        }

        assertEquals(1, keyFetches(kid), "one fetch of the new kid for five verifications");
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void unknownKidIsFetchedOnceNotPerRequest(VerifierKit which) throws Exception {
        acceptedToken(which, TestApi.createUser("kit-forged"));
        String kid = "forged-" + java.util.UUID.randomUUID();
        String forged = forgedToken(kid);

        for (int i = 0; i < 5; i++) {
            assertEquals("invalid unknown_kid", kit.verdict(forged));
        }

        assertEquals(1, keyFetches(kid), "one fetch of an unknown kid within the retry period, not one per token");
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void tokenIsRefusedOnceTheStreamIsCutAndTheLeaseLapsed(VerifierKit which) throws Exception {
        String token = acceptedToken(which, TestApi.createUser("kit-cut"));

        relay.blackhole();

        String verdict = kit.awaitVerdict(token, v -> !v.startsWith("valid"), LEASE.plus(SETTLE));
        assertEquals("invalid stale", verdict);
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void afterTheStreamIsRestoredTheKitResumesWithWhatItMissed(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-resume");
        String loggedOut = acceptedToken(which, user);
        String kept = TestApi.login(user);
        assertTrue(kit.verdict(kept).startsWith("valid"));
        relay.blackhole();
        assertEquals("invalid stale", kit.awaitVerdict(kept, v -> !v.startsWith("valid"), LEASE.plus(SETTLE)));

        given().auth().oauth2(loggedOut).when().post("/logout").then().statusCode(204);
        relay.cutAll(); // the kit reconnects, with Last-Event-ID
        relay.resume();

        assertTrue(kit.awaitVerdict(kept, v -> v.startsWith("valid"), SETTLE).startsWith("valid"),
                "fresh again once the stream is back");
        assertEquals("invalid revoked", kit.verdict(loggedOut), "the logout made while cut off was replayed");
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void edDsaTokenIsAcceptedThenRefusedWithinOneSecondOfItsUsersRotation(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-eddsa");
        OtherAlgorithmKeys.rotate(keys, user.id(), KeyAlgorithm.EdDSA);
        String token = acceptedToken(which, user);
        assertEquals("EdDSA", JsonWebSignature.fromCompactSerialization(token).getAlgorithmHeaderValue());

        given().auth().oauth2(token).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);

        assertRefusedWithinPropagation(token, "invalid unknown_kid");
    }

    @ParameterizedTest
    @EnumSource(VerifierKit.class)
    void hs256TokenSignedWithAnEd25519PublicKeyIsRefused(VerifierKit which) throws Exception {
        TestUser user = TestApi.createUser("kit-confusion");
        OtherAlgorithmKeys.rotate(keys, user.id(), KeyAlgorithm.EdDSA);
        String kid = kidOf(acceptedToken(which, user));
        String x = given().auth().preemptive().basic(client.clientId(), client.secret())
                .when().get("/keys/" + kid)
                .then().statusCode(200).extract().path("x");
        JwtClaims claims = new TokenForge(config).validClaims(user.id(), user.username());

        String forged = TokenForge.hs256(claims, kid, new HmacKey(Base64.getUrlDecoder().decode(x)));

        assertEquals("invalid invalid", kit.verdict(forged));
    }

    @Test
    void javaKitDeclaresTheJose4jVersionLatchkeyUses() throws Exception {
        String pom = Files.readString(Path.of("verifiers/java/pom.xml"));
        Matcher declared = Pattern.compile("<jose4j.version>([^<]+)</jose4j.version>").matcher(pom);

        assertTrue(declared.find(), "verifiers/java/pom.xml declares jose4j.version");
        assertEquals("jose4j-" + declared.group(1) + ".jar",
                VerifierKit.jarOf(org.jose4j.jwk.JsonWebKey.class).getFileName().toString());
    }

    private RunningKit started(VerifierKit which) throws Exception {
        kit = RunningKit.start(which, "http://127.0.0.1:" + relay.port(), client.clientId(), client.secret(),
                config.issuer(), LEASE);
        return kit;
    }

    /** Starts the kit and waits until it accepts a fresh token of {@code user} (its key now cached). */
    private String acceptedToken(VerifierKit which, TestUser user) throws Exception {
        String token = TestApi.login(user);
        String verdict = started(which).awaitVerdict(token, v -> v.startsWith("valid"), SETTLE);
        assertTrue(verdict.startsWith("valid"), which + " accepts a fresh token: " + verdict + "; " + kit.stderr());
        return token;
    }

    private void assertRefusedWithinPropagation(String token, String expected) throws Exception {
        long start = System.nanoTime();
        String verdict = kit.awaitVerdict(token, v -> !v.startsWith("valid"), SETTLE);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(expected, verdict);
        assertTrue(took.compareTo(PROPAGATION) <= 0, "refused after " + took.toMillis() + " ms");
    }

    /** Fetches of {@code kid} by this test's client, as Latchkey's audit trail records them. */
    private long keyFetches(String kid) throws Exception {
        long count = 0;
        for (String line : auditLines) {
            JsonNode json = JSON.readTree(line);
            if ("key.fetch".equals(json.path("event").asText()) && client.clientId().equals(json.path("actor").asText())
                    && kid.equals(json.path("subject").asText())) {
                count++;
            }
        }
        return count;
    }

    private static String kidOf(String token) throws Exception {
        return JsonWebSignature.fromCompactSerialization(token).getKeyIdHeaderValue();
    }

    /** A well-formed token naming a kid Latchkey never issued. */
    private String forgedToken(String kid) {
        JwtClaims claims = new TokenForge(config).validClaims(java.util.UUID.randomUUID(), "nobody");
        return TokenForge.hs256(claims, kid, new HmacKey(new byte[32]));
    }
}
