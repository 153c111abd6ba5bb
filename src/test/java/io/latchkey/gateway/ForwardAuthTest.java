package io.latchkey.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ForwardAuthTest {

    private static TestUser user;
    private static String token;

    private static synchronized String token() {
        if (token == null) {
            user = TestApi.createUser("fwd", "reader", "writer");
            token = TestApi.login(user);
        }
        return token;
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" })
    void validTokenIsAcceptedWithTheUserInHeadersForEveryMethod(String method) {
        String bearer = token();

        given().auth().oauth2(bearer)
                .when().request(method, "/auth")
                .then().statusCode(204)
                .header("X-Auth-User-Id", user.id().toString())
                .header("X-Auth-Username", user.username())
                .header("X-Auth-Roles", "reader,writer");
    }

    @Test
    void tokenInCookieIsAccepted() {
        String bearer = token();

        given().cookie("token", bearer)
                .when().get("/auth")
                .then().statusCode(204)
                .header("X-Auth-User-Id", user.id().toString());
    }

    @Test
    void tokenInJwtHeaderIsAccepted() {
        String bearer = token();

        given().header("X-JWT-Auth-Token", bearer)
                .when().get("/auth")
                .then().statusCode(204)
                .header("X-Auth-Username", user.username());
    }

    @Test
    void userWithoutRolesGetsAnEmptyRolesHeader() {
        TestUser plain = TestApi.createUser("fwd-plain");

        given().auth().oauth2(TestApi.login(plain))
                .when().get("/auth")
                .then().statusCode(204)
                .header("X-Auth-Roles", "");
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET", "POST", "HEAD" })
    void missingTokenIsUnauthorizedWithBearerChallenge(String method) {
        given().when().request(method, "/auth")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\"")
                .header("X-Auth-User-Id", nullValue());
    }

    @Test
    void invalidTokenIsUnauthorizedWithInvalidTokenError() {
        given().header("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")
                .when().get("/auth")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\", error=\"invalid_token\"")
                .header("X-Auth-User-Id", nullValue())
                .body("error", equalTo("invalid_token"));
    }

    @Test
    void tokenOfNineThousandBytesIsUnauthorizedNotRefusedByTheServer() {
        String huge = "eyJhbGciOiJIUzI1NiJ9." + "A".repeat(8935) + "." + "B".repeat(43);

        given().auth().oauth2(huge)
                .when().get("/auth")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\", error=\"invalid_token\"");
    }

    @Test
    void rotatedAwayTokenIsUnauthorized() {
        TestUser rotated = TestApi.createUser("fwd-rotated");
        String old = TestApi.login(rotated);
        given().auth().oauth2(old).when().get("/auth").then().statusCode(204);

        given().auth().oauth2(old).when().post("/users/" + rotated.id() + "/rotate").then().statusCode(200);

        given().auth().oauth2(old)
                .when().get("/auth")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\", error=\"invalid_token\"");
    }

    @Test
    void basicCredentialsAreNotAToken() {
        TestUser basic = TestApi.createUser("fwd-basic");

        given().auth().preemptive().basic(basic.username(), basic.password())
                .when().get("/auth")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\"");
    }

    @Test
    void requiredRoleTheUserLacksIsForbidden() {
        given().auth().oauth2(token())
                .queryParam("role", "admin")
                .when().get("/auth")
                .then().statusCode(403)
                .header("X-Auth-User-Id", nullValue())
                .body("error", equalTo("forbidden"));
    }

    @Test
    void requiredRoleTheUserHasIsAccepted() {
        given().auth().oauth2(token())
                .queryParam("role", "writer")
                .when().get("/auth")
                .then().statusCode(204)
                .header("X-Auth-User-Id", user.id().toString());
    }

    @Test
    void requiredRoleWithoutTokenIsStillUnauthorized() {
        given().queryParam("role", "reader")
                .when().get("/auth")
                .then().statusCode(401);
    }

    @Test
    void roleCheckIsExactNotPrefixOrCaseInsensitive() {
        given().auth().oauth2(token()).queryParam("role", "read").when().get("/auth").then().statusCode(403);
        given().auth().oauth2(token()).queryParam("role", "READER").when().get("/auth").then().statusCode(403);
    }

    @Test
    void requestBodyIsIgnored() {
        given().auth().oauth2(token())
                .contentType(ContentType.JSON).body(Map.of("anything", "at all"))
                .when().post("/auth")
                .then().statusCode(204);
    }
}
