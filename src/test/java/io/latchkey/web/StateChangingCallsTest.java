package io.latchkey.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A browser attaches the token cookie to any same-site request, so calls that change state need the token
 * sent explicitly in a header: the cookie alone is refused there (it still works for reading).
 */
@QuarkusTest
class StateChangingCallsTest {

    @Test
    void rotationWithOnlyTheCookieIsRefused() {
        // given
        TestApi.TestUser user = TestApi.createUser("csrf-rotate");
        String token = TestApi.login(user);

        // when / then
        given().cookie("token", token)
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"latchkey\", error=\"invalid_token\""))
                .body("error", equalTo("invalid_token"));
        given().auth().oauth2(token).when().get("/users/current").then().statusCode(200);
    }

    @Test
    void rotationWithTheTokenHeaderIsAccepted() {
        TestApi.TestUser user = TestApi.createUser("csrf-header");
        String token = TestApi.login(user);

        given().header("X-JWT-Auth-Token", token)
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200);
    }

    @Test
    void adminChangesWithOnlyTheCookieAreRefused() {
        // given an admin's cookie
        String admin = TestApi.adminToken();

        // when a user is created with it
        given().cookie("token", admin)
                .contentType(ContentType.JSON)
                .body(Map.of("username", "csrf-victim", "password", "long-enough-password", "roles", List.of("admin")))
                .when().post("/users")
                .then().statusCode(401);

        // then nothing was created
        given().auth().oauth2(admin).queryParam("limit", "500")
                .when().get("/users")
                .then().statusCode(200)
                .body("users.findAll { it.username == 'csrf-victim' }.size()", equalTo(0));
    }

    @Test
    void adminReadsWorkWithTheCookie() {
        given().cookie("token", TestApi.adminToken())
                .when().get("/users")
                .then().statusCode(200);
    }
}
