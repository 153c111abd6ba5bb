package io.latchkey.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.user.UserService;
import io.latchkey.user.Usernames;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A browser attaches the token cookie to any same-site request, so calls that change state need the token
 * sent explicitly in a header: the cookie alone is refused there (it still works for reading).
 */
@QuarkusTest
class StateChangingCallsTest {

    @Inject
    UserService users;

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
        // given an admin's cookie, and a name no user has
        String admin = TestApi.adminToken();
        String victim = "csrf-victim-" + UUID.randomUUID();

        // when a user is created with it
        given().cookie("token", admin)
                .contentType(ContentType.JSON)
                .body(Map.of("username", victim, "password", "long-enough-password", "roles", List.of("admin")))
                .when().post("/users")
                .then().statusCode(401);

        // then nothing was created
        assertTrue(users.findByUsername(Usernames.fold(victim)).isEmpty(), "a user was created from the cookie alone");
    }

    @Test
    void adminReadsWorkWithTheCookie() {
        given().cookie("token", TestApi.adminToken())
                .when().get("/users")
                .then().statusCode(200);
    }
}
