package io.latchkey.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code /q/metrics} in Prometheus text: the service's own counters and timers, each moving by exactly one
 * per action (the tests of a class run one at a time, and every fixture is created before the first reading).
 */
@QuarkusTest
class MetricsTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)$",
            Pattern.MULTILINE);

    @Test
    void metricsAreServedAsPrometheusText() {
        given().accept("text/plain").when().get("/q/metrics")
                .then().statusCode(200)
                .contentType(startsWith("text/plain"));
    }

    @Test
    void everyOwnMeterIsExposedBeforeAnyUse() {
        // Counters are registered at start-up, so a dashboard sees zeros rather than gaps.
        String text = scrape();
        for (String name : new String[] {"latchkey_logins_total", "latchkey_introspections_total",
                "latchkey_key_rotations_total", "latchkey_revocations_total",
                "latchkey_login_duration_seconds_count", "latchkey_introspection_duration_seconds_count"}) {
            assertTrue(Pattern.compile("^" + name + "[{ ]", Pattern.MULTILINE).matcher(text).find(), name);
        }
    }

    @Test
    void successfulLoginIsCountedAsSuccess() {
        // given
        TestUser user = TestApi.createUser("metrics-ok");
        double before = value("latchkey_logins_total", "outcome", "success");

        // when
        TestApi.login(user);

        // then
        assertEquals(before + 1, value("latchkey_logins_total", "outcome", "success"));
    }

    @Test
    void wrongPasswordIsCountedAsInvalidCredentials() {
        // given
        TestUser user = TestApi.createUser("metrics-bad");
        double before = value("latchkey_logins_total", "outcome", "invalid_credentials");

        // when
        given().auth().preemptive().basic(user.username(), "wrong-" + user.password())
                .when().post("/login").then().statusCode(401);

        // then
        assertEquals(before + 1, value("latchkey_logins_total", "outcome", "invalid_credentials"));
    }

    @Test
    void malformedLoginIsCountedAsInvalidRequest() {
        // given
        double before = value("latchkey_logins_total", "outcome", "invalid_request");

        // when
        given().contentType("application/json").body("{\"username\": ").when().post("/login")
                .then().statusCode(400);

        // then
        assertEquals(before + 1, value("latchkey_logins_total", "outcome", "invalid_request"));
    }

    @Test
    void throttledLoginIsCountedAsThrottled() {
        // given a username over the failure limit (default 5)
        TestUser user = TestApi.createUser("metrics-throttled");
        int status;
        do {
            status = given().auth().preemptive().basic(user.username(), "wrong-password")
                    .when().post("/login").then().extract().statusCode();
        } while (status == 401);
        assertEquals(429, status);
        double before = value("latchkey_logins_total", "outcome", "throttled");

        // when
        given().auth().preemptive().basic(user.username(), user.password()).when().post("/login")
                .then().statusCode(429);

        // then
        assertEquals(before + 1, value("latchkey_logins_total", "outcome", "throttled"));
    }

    @Test
    void loginTimerRecordsEveryLogin() {
        // given
        TestUser user = TestApi.createUser("metrics-timer");
        double before = value("latchkey_login_duration_seconds_count", null, null);
        double sumBefore = value("latchkey_login_duration_seconds_sum", null, null);

        // when
        TestApi.login(user);

        // then
        assertEquals(before + 1, value("latchkey_login_duration_seconds_count", null, null));
        assertTrue(value("latchkey_login_duration_seconds_sum", null, null) > sumBefore);
    }

    @Test
    void activeIntrospectionIsCountedAsActive() {
        // given
        TestClient client = TestApi.createClient("introspect");
        String token = TestApi.login(TestApi.createUser("metrics-active"));
        double before = value("latchkey_introspections_total", "result", "active");

        // when
        introspect(client, token, true);

        // then
        assertEquals(before + 1, value("latchkey_introspections_total", "result", "active"));
    }

    @Test
    void inactiveIntrospectionIsCountedAsInactive() {
        // given
        TestClient client = TestApi.createClient("introspect");
        double before = value("latchkey_introspections_total", "result", "inactive");

        // when
        introspect(client, "not-a-token", false);

        // then
        assertEquals(before + 1, value("latchkey_introspections_total", "result", "inactive"));
    }

    @Test
    void introspectionTimerRecordsEveryIntrospection() {
        // given
        TestClient client = TestApi.createClient("introspect");
        double before = value("latchkey_introspection_duration_seconds_count", null, null);

        // when
        introspect(client, "not-a-token", false);

        // then
        assertEquals(before + 1, value("latchkey_introspection_duration_seconds_count", null, null));
    }

    @Test
    void rotationIsCounted() {
        // given
        TestUser user = TestApi.createUser("metrics-rotate");
        String admin = TestApi.adminToken();
        double before = value("latchkey_key_rotations_total", null, null);

        // when
        given().auth().oauth2(admin).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);

        // then
        assertEquals(before + 1, value("latchkey_key_rotations_total", null, null));
    }

    @Test
    void logoutIsCountedAsARevocation() {
        // given
        String token = TestApi.login(TestApi.createUser("metrics-logout"));
        double before = value("latchkey_revocations_total", "reason", "logout");

        // when
        given().auth().oauth2(token).when().post("/logout").then().statusCode(204);

        // then
        assertEquals(before + 1, value("latchkey_revocations_total", "reason", "logout"));
    }

    @Test
    void disablingAUserIsCountedAsARevocationOfAllTheirTokens() {
        // given
        TestUser user = TestApi.createUser("metrics-disable");
        String admin = TestApi.adminToken();
        double before = value("latchkey_revocations_total", "reason", "user_change");

        // when
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("enabled", false))
                .when().patch("/users/" + user.id()).then().statusCode(200);

        // then
        assertEquals(before + 1, value("latchkey_revocations_total", "reason", "user_change"));
    }

    private static void introspect(TestClient client, String token, boolean active) {
        given().auth().preemptive().basic(client.clientId(), client.secret())
                .contentType("application/x-www-form-urlencoded").formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(200)
                .body("active", equalTo(active));
    }

    private static String scrape() {
        return given().accept("text/plain").when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sample {@code name} (with label {@code label="labelValue"} when given); fails when it is absent. */
    private static double value(String name, String label, String labelValue) {
        String text = scrape();
        Matcher sample = SAMPLE.matcher(text);
        while (sample.find()) {
            if (!sample.group(1).equals(name)) {
                continue;
            }
            String labels = sample.group(3) == null ? "" : sample.group(3);
            if (label == null || labels.contains(label + "=\"" + labelValue + "\"")) {
                return Double.parseDouble(sample.group(4));
            }
        }
        throw new AssertionError("no sample " + name + (label == null ? "" : "{" + label + "=\"" + labelValue + "\"}")
                + " in /q/metrics");
    }
}
