package io.latchkey.user;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;

/** {@code GET /users/current}: the token's user, or an RFC 6750 challenge. */
@QuarkusTest
class CurrentUserTest {

    @Test
    void currentUserIsTheTokensUser() {
        // given
        Instant before = Instant.now().minusSeconds(2);
        TestUser user = TestApi.createUser("current", "reader");
        String token = TestApi.login(user);

        // when
        String createdAt = given().auth().oauth2(token)
                .when().get("/users/current")
                .then().statusCode(200)
                .body("id", equalTo(user.id().toString()))
                .body("username", equalTo(user.username()))
                .body("roles", equalTo(List.of("reader")))
                .body("enabled", equalTo(true))
                .extract().path("created_at");

        // then: an ISO-8601 UTC time of the user's creation
        Instant created = Instant.parse(createdAt);
        assertTrue(!created.isBefore(before) && created.isBefore(before.plus(Duration.ofMinutes(1))), createdAt);
    }

    @Test
    void currentUserNeverShowsThePasswordHash() {
        TestUser user = TestApi.createUser("nohash");
        String body = given().auth().oauth2(TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(200)
                .extract().asString();
        assertTrue(!body.contains("argon2") && !body.toLowerCase().contains("password"), body);
    }

    @Test
    void withoutATokenTheAnswerIsAPlainBearerChallenge() {
        given().when().get("/users/current")
                .then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"latchkey\""))
                .contentType("application/json")
                .body("error", not(emptyOrNullString()))
                .body("error_description", not(emptyOrNullString()));
    }

    @Test
    void withAnInvalidTokenTheChallengeNamesInvalidToken() {
        given().auth().oauth2("not.a.token")
                .when().get("/users/current")
                .then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"latchkey\", error=\"invalid_token\""))
                .contentType("application/json")
                .body("error", equalTo("invalid_token"))
                .body("error_description", not(emptyOrNullString()));
    }
}
