package io.latchkey.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class IntrospectionTest {

    private static final Map<String, Object> INACTIVE = Map.of("active", false);

    private static ValidatableResponse introspect(String token) {
        return given().auth().preemptive().basic(TestApi.introspector().clientId(), TestApi.introspector().secret())
                .contentType(ContentType.URLENC)
                .formParam("token", token)
                .when().post("/introspect")
                .then();
    }

    private static Map<String, Object> introspectionOf(String token) {
        return introspect(token).statusCode(200).extract().jsonPath().getMap("$");
    }

    // caller authentication

    @Test
    void callerWithoutAuthenticationIsRefusedAsInvalidClientWithBasicChallenge() {
        String token = TestApi.login(TestApi.createUser("intro-noauth"));

        given().contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"latchkey\"")
                .body("error", equalTo("invalid_client"));
    }

    @Test
    void clientWithWrongSecretIsRefused() {
        String token = TestApi.login(TestApi.createUser("intro-wrongsecret"));

        given().auth().preemptive().basic(TestApi.introspector().clientId(), TestApi.introspector().secret() + "x")
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"latchkey\"")
                .body("error", equalTo("invalid_client"));
    }

    @Test
    void clientWithoutIntrospectPermissionIsForbidden() {
        TestClient keyReader = TestApi.createClient("keys:read");
        String token = TestApi.login(TestApi.createUser("intro-noperm"));

        given().auth().preemptive().basic(keyReader.clientId(), keyReader.secret())
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(403)
                .body("error", equalTo("forbidden"));
    }

    @Test
    void clientWithIntrospectPermissionGetsAnAnswer() {
        String token = TestApi.login(TestApi.createUser("intro-client"));

        introspect(token).statusCode(200).body("active", equalTo(true));
    }

    @Test
    void adminBearerMayIntrospect() {
        String token = TestApi.login(TestApi.createUser("intro-byadmin"));

        given().auth().oauth2(TestApi.adminToken())
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(200)
                .body("active", equalTo(true));
    }

    @Test
    void nonAdminBearerIsForbidden() {
        String callerToken = TestApi.login(TestApi.createUser("intro-caller", "reader"));
        String token = TestApi.login(TestApi.createUser("intro-target"));

        given().auth().oauth2(callerToken)
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(403)
                .body("error", equalTo("forbidden"));
    }

    // request syntax

    @Test
    void missingTokenParameterIsAnInvalidRequest() {
        given().auth().preemptive().basic(TestApi.introspector().clientId(), TestApi.introspector().secret())
                .contentType(ContentType.URLENC).formParam("token_type_hint", "access_token")
                .when().post("/introspect")
                .then().statusCode(400)
                .body("error", equalTo("invalid_request"))
                .body("error_description", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void tokenTypeHintIsAcceptedAndIgnored() {
        String token = TestApi.login(TestApi.createUser("intro-hint"));

        given().auth().preemptive().basic(TestApi.introspector().clientId(), TestApi.introspector().secret())
                .contentType(ContentType.URLENC)
                .formParam("token", token)
                .formParam("token_type_hint", "refresh_token")
                .when().post("/introspect")
                .then().statusCode(200)
                .body("active", equalTo(true));
    }

    // answers

    @Test
    void activeAnswerHasExactlyTheContractMembers() {
        TestUser user = TestApi.createUser("intro-members", "reader", "writer");
        String token = TestApi.login(user);

        Map<String, Object> answer = introspectionOf(token);

        assertEquals(Set.of("active", "token_type", "sub", "username", "roles", "iss", "aud", "exp", "iat", "nbf",
                "jti"), answer.keySet());
        assertEquals(true, answer.get("active"));
        assertEquals("Bearer", answer.get("token_type"));
        assertEquals(user.id().toString(), answer.get("sub"));
        assertEquals(user.username(), answer.get("username"));
        assertEquals(List.of("reader", "writer"), answer.get("roles"));
        long iat = ((Number) answer.get("iat")).longValue();
        long exp = ((Number) answer.get("exp")).longValue();
        long nbf = ((Number) answer.get("nbf")).longValue();
        assertTrue(exp > iat, "exp after iat");
        assertTrue(nbf <= iat + 1, "nbf not after iat");
        assertTrue(answer.get("jti") instanceof String jti && !jti.isEmpty(), "jti present");
        assertTrue(answer.get("iss") instanceof String iss && !iss.isEmpty(), "iss present");
        assertTrue(answer.get("aud") != null, "aud present");
    }

    @Test
    void tokenOfNineThousandBytesIsInactiveNotTooLarge() {
        String token = "eyJhbGciOiJIUzI1NiJ9." + "A".repeat(9000 - 21 - 44) + "." + "B".repeat(43);
        assertEquals(9000, token.length());

        Map<String, Object> answer = introspectionOf(token);

        assertEquals(INACTIVE, answer);
    }

    @Test
    void garbageTokenIsExactlyInactive() {
        assertEquals(INACTIVE, introspectionOf("this-is-not-a-jwt"));
    }

    @Test
    void tokenRotatedAwayIsExactlyInactive() {
        TestUser user = TestApi.createUser("intro-rotated");
        String token = TestApi.login(user);
        assertEquals(true, introspectionOf(token).get("active"));

        given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200);

        assertEquals(INACTIVE, introspectionOf(token));
    }

    @Test
    void tokenOfDisabledUserIsExactlyInactive() {
        TestUser user = TestApi.createUser("intro-disabled");
        String token = TestApi.login(user);
        assertEquals(true, introspectionOf(token).get("active"));

        given().auth().oauth2(TestApi.adminToken())
                .contentType(ContentType.JSON).body(Map.of("enabled", false))
                .when().patch("/users/" + user.id())
                .then().statusCode(200);

        assertEquals(INACTIVE, introspectionOf(token));
    }

    @Test
    void tokenOfDeletedUserIsExactlyInactive() {
        TestUser user = TestApi.createUser("intro-deleted");
        String token = TestApi.login(user);
        assertEquals(true, introspectionOf(token).get("active"));

        given().auth().oauth2(TestApi.adminToken())
                .when().delete("/users/" + user.id())
                .then().statusCode(204);

        assertEquals(INACTIVE, introspectionOf(token));
    }
}
