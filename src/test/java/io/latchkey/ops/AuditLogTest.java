package io.latchkey.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The audit trail: one JSON line on {@code latchkey.audit} per login, failed login, logout, rotation and
 * administrative change, with when, what, outcome, who, on whom and from where; never a secret. The lines are
 * captured by a handler added to that logger for the duration of each test.
 */
@QuarkusTest
class AuditLogTest {

    private static final Set<String> FIELDS = Set.of("ts", "event", "outcome", "actor", "subject", "address");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureAuditLines() {
        Logger.getLogger("latchkey.audit").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("latchkey.audit").removeHandler(capture);
    }

    @Test
    void successfulLoginIsOneLineNamingTheUserAndAddress() throws Exception {
        // given
        TestUser user = TestApi.createUser("audit-login");
        lines.clear();
        Instant before = Instant.now();

        // when
        TestApi.login(user);

        // then
        JsonNode line = only("login");
        assertEquals("success", line.get("outcome").asText());
        assertEquals(user.username(), line.get("actor").asText());
        assertEquals(user.id().toString(), line.get("subject").asText());
        assertTrue(InetAddress.getByName(line.get("address").asText()).isLoopbackAddress(), line.toString());
        Instant ts = Instant.parse(line.get("ts").asText());
        assertFalse(ts.isBefore(before.minusSeconds(1)) || ts.isAfter(Instant.now().plusSeconds(1)), line.toString());
    }

    @Test
    void failedLoginIsOneLineWithItsReason() {
        // given
        TestUser user = TestApi.createUser("audit-fail");
        lines.clear();

        // when
        given().auth().preemptive().basic(user.username(), "wrong-" + user.password())
                .when().post("/login").then().statusCode(401);

        // then
        JsonNode line = only("login");
        assertEquals("invalid_credentials", line.get("outcome").asText());
        assertEquals(user.username(), line.get("actor").asText());
        assertTrue(line.get("subject").isNull(), "a failed login names no account: " + line);
    }

    @Test
    void logoutIsOneLineNamingTheUser() {
        // given
        TestUser user = TestApi.createUser("audit-logout");
        String token = TestApi.login(user);
        lines.clear();

        // when
        given().auth().oauth2(token).when().post("/logout").then().statusCode(204);

        // then
        JsonNode line = only("logout");
        assertEquals("success", line.get("outcome").asText());
        assertEquals(user.username(), line.get("actor").asText());
        assertEquals(user.id().toString(), line.get("subject").asText());
    }

    @Test
    void rotationIsOneLineNamingWhoRotatedWhom() {
        // given
        TestUser user = TestApi.createUser("audit-rotate");
        String admin = TestApi.adminToken();
        lines.clear();

        // when
        given().auth().oauth2(admin).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);

        // then
        JsonNode line = only("key.rotate");
        assertEquals("success", line.get("outcome").asText());
        assertEquals(TestApi.ADMIN_USERNAME, line.get("actor").asText());
        assertEquals(user.id().toString(), line.get("subject").asText());
    }

    @Test
    void userCreationIsAudited() {
        // given
        String admin = TestApi.adminToken();
        lines.clear();

        // when
        String id = given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("username", "audit-new-" + System.nanoTime(), "password", "a-long-password", "roles",
                        List.of()))
                .when().post("/users").then().statusCode(201).extract().path("id");

        // then
        JsonNode line = only("user.create");
        assertEquals(TestApi.ADMIN_USERNAME, line.get("actor").asText());
        assertEquals(id, line.get("subject").asText());
    }

    @Test
    void userChangeIsAudited() {
        // given
        TestUser user = TestApi.createUser("audit-patch");
        String admin = TestApi.adminToken();
        lines.clear();

        // when
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("enabled", false))
                .when().patch("/users/" + user.id()).then().statusCode(200);

        // then
        JsonNode line = only("user.update");
        assertEquals(TestApi.ADMIN_USERNAME, line.get("actor").asText());
        assertEquals(user.id().toString(), line.get("subject").asText());
    }

    @Test
    void userDeletionIsAudited() {
        // given
        TestUser user = TestApi.createUser("audit-delete");
        String admin = TestApi.adminToken();
        lines.clear();

        // when
        given().auth().oauth2(admin).when().delete("/users/" + user.id()).then().statusCode(204);

        // then
        JsonNode line = only("user.delete");
        assertEquals(TestApi.ADMIN_USERNAME, line.get("actor").asText());
        assertEquals(user.id().toString(), line.get("subject").asText());
    }

    @Test
    void clientCreationAndDeletionAreAudited() {
        // given
        String admin = TestApi.adminToken();
        lines.clear();

        // when
        TestClient client = TestApi.createClient("introspect");
        given().auth().oauth2(admin).when().delete("/clients/" + client.clientId()).then().statusCode(204);

        // then
        assertEquals(client.clientId(), only("client.create").get("subject").asText());
        assertEquals(client.clientId(), only("client.delete").get("subject").asText());
    }

    @Test
    void everyLineIsOneJsonObjectWithTheDocumentedFields() throws Exception {
        // given / when: a few events of different kinds
        TestUser user = TestApi.createUser("audit-shape");
        String token = TestApi.login(user);
        given().auth().preemptive().basic(user.username(), "wrong").when().post("/login");
        given().auth().oauth2(token).when().post("/logout");

        // then
        assertFalse(lines.isEmpty());
        for (String text : lines) {
            assertFalse(text.contains("\n") || text.contains("\r"), "one line per event: " + text);
            JsonNode line = JSON.readTree(text);
            List<String> names = new ArrayList<>();
            line.fieldNames().forEachRemaining(names::add);
            assertEquals(FIELDS, Set.copyOf(names), text);
        }
    }

    @Test
    void noLineEverHoldsAPasswordTokenOrClientSecret() {
        // given / when: every audited action that handles a secret
        String admin = TestApi.adminToken();
        String password = "audit-secret-password-" + System.nanoTime();
        String username = "audit-secret-" + System.nanoTime();
        String id = given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("username", username, "password", password, "roles", List.of()))
                .when().post("/users").then().statusCode(201).extract().path("id");
        String wrongPassword = "audit-wrong-password-" + System.nanoTime();
        given().auth().preemptive().basic(username, wrongPassword).when().post("/login").then().statusCode(401);
        String token = TestApi.login(username, password);
        given().auth().oauth2(token).when().post("/users/" + id + "/rotate").then().statusCode(200);
        String newPassword = "audit-new-password-" + System.nanoTime();
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("password", newPassword))
                .when().patch("/users/" + id).then().statusCode(200);
        String fresh = TestApi.login(username, newPassword);
        given().auth().oauth2(fresh).when().post("/logout").then().statusCode(204);
        TestClient client = TestApi.createClient("introspect");

        // then
        String all = String.join("\n", lines);
        assertTrue(lines.size() >= 7, all);
        for (String secret : List.of(password, wrongPassword, newPassword, TestApi.ADMIN_PASSWORD, client.secret())) {
            assertFalse(all.contains(secret), "a secret was audited");
        }
        for (String jwt : List.of(admin, token, fresh)) {
            for (String part : jwt.split("\\.")) {
                assertFalse(all.contains(part), "a token (or part of one) was audited");
            }
        }
    }

    @Test
    void failedClientAuthenticationAtKeysIsAuditedWithTheClaimedClient() {
        // given
        lines.clear();

        // when
        given().auth().preemptive().basic("no-such-client", "wrong-secret")
                .when().get("/keys/" + java.util.UUID.randomUUID()).then().statusCode(401);

        // then
        JsonNode line = only("key.fetch");
        assertEquals("invalid_client", line.path("outcome").asText());
        assertEquals("no-such-client", line.path("actor").asText());
        assertFalse(String.join("\n", lines).contains("wrong-secret"));
    }

    @Test
    void failedClientAuthenticationAtIntrospectIsAudited() {
        // given: a real client with a wrong secret
        TestClient client = TestApi.createClient("introspect");
        lines.clear();

        // when
        given().auth().preemptive().basic(client.clientId(), "wrong-" + client.secret())
                .contentType("application/x-www-form-urlencoded").formParam("token", "x")
                .when().post("/introspect").then().statusCode(401);

        // then
        JsonNode line = only("introspect");
        assertEquals("invalid_client", line.path("outcome").asText());
        assertEquals(client.clientId(), line.path("actor").asText());
    }

    @Test
    void attackerSuppliedFieldsAreBoundedInLength() {
        // given: a tried username and a client id far longer than any real one
        String longName = "n".repeat(900);
        String longClient = "c".repeat(5000);
        lines.clear();

        // when
        given().auth().preemptive().basic(longName, "whatever-password").when().post("/login").then().statusCode(401);
        given().auth().preemptive().basic(longClient, "x").when().get("/keys/" + "k".repeat(3000)).then().statusCode(401);

        // then
        assertTrue(only("login").path("actor").asText().length() <= 131, lines.toString());
        assertTrue(only("key.fetch").path("actor").asText().length() <= 131, lines.toString());
        assertTrue(only("key.fetch").path("subject").asText().length() <= 131, lines.toString());
    }

    /** The one captured line for {@code event}; fails when there is none or more than one. */
    private JsonNode only(String event) {
        List<JsonNode> found = new ArrayList<>();
        for (String text : lines) {
            try {
                JsonNode line = JSON.readTree(text);
                if (event.equals(line.path("event").asText())) {
                    found.add(line);
                }
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + text, e);
            }
        }
        assertEquals(1, found.size(), "lines for " + event + ": " + lines);
        return found.get(0);
    }
}
