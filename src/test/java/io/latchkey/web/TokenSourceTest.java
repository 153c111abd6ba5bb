package io.latchkey.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Where a request's token is read from: Bearer, then cookie {@code token}, then {@code X-JWT-Auth-Token}. The
 * first source present is the only one used; Basic is never a source. Seen through {@code GET /users/current}.
 */
@QuarkusTest
class TokenSourceTest {

    private static final String GARBAGE = "not-a-token";

    @Test
    void bearerHeaderIsAccepted() {
        TestUser user = TestApi.createUser("bearer");
        given().header("Authorization", "Bearer " + TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void bearerSchemeIsCaseInsensitive() {
        TestUser user = TestApi.createUser("lowercase");
        given().header("Authorization", "bearer " + TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void tokenCookieIsAccepted() {
        TestUser user = TestApi.createUser("cookie");
        given().cookie("token", TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void xJwtAuthTokenHeaderIsAccepted() {
        TestUser user = TestApi.createUser("xheader");
        given().header("X-JWT-Auth-Token", TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void bearerHeaderWinsOverCookie() {
        // given: a valid bearer and a garbage cookie
        TestUser user = TestApi.createUser("bearer-wins");

        // when / then
        given().auth().oauth2(TestApi.login(user)).cookie("token", GARBAGE)
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void invalidBearerHeaderIsNotExcusedByAValidCookie() {
        // given: a garbage bearer and a valid cookie: the header is the source, and it is bad
        TestUser user = TestApi.createUser("no-fallback");

        // when / then
        given().header("Authorization", "Bearer " + GARBAGE).cookie("token", TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
    }

    @Test
    void authorizationHeaderOfAnotherSchemeIsNotExcusedByAValidCookie() {
        // given
        TestUser user = TestApi.createUser("other-scheme");

        // when / then
        given().header("Authorization", "Token " + TestApi.login(user)).cookie("token", TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(401);
    }

    @Test
    void cookieWinsOverXJwtAuthTokenHeader() {
        // given
        TestUser user = TestApi.createUser("cookie-wins");

        // when / then
        given().cookie("token", TestApi.login(user)).header("X-JWT-Auth-Token", GARBAGE)
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void invalidCookieIsNotExcusedByAValidXJwtAuthTokenHeader() {
        // given
        TestUser user = TestApi.createUser("cookie-no-fallback");

        // when / then
        given().cookie("token", GARBAGE).header("X-JWT-Auth-Token", TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
    }

    @Test
    void basicAuthorizationIsNotATokenSource() {
        // given: Basic credentials (even the user's own) next to a valid cookie: the cookie is the source
        TestUser user = TestApi.createUser("basic-cookie");

        // when / then
        given().auth().preemptive().basic(user.username(), user.password()).cookie("token", TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void basicAuthorizationAloneAuthenticatesNobody() {
        // given
        TestUser user = TestApi.createUser("basic-only");

        // when / then: no token at all, so the plain challenge
        given().auth().preemptive().basic(user.username(), user.password())
                .when().get("/users/current")
                .then().statusCode(401).header("WWW-Authenticate", equalTo("Bearer realm=\"latchkey\""));
    }

    @Test
    void bearerWithoutATokenIsRefused() {
        // given: a valid cookie, to show the malformed header is not skipped
        TestUser user = TestApi.createUser("bearer-empty");

        // when / then
        given().header("Authorization", "Bearer").cookie("token", TestApi.login(user))
                .when().get("/users/current")
                .then().statusCode(401);
    }

    @Test
    void bearerWithTwoTokensIsRefused() {
        // given: both tokens valid on their own
        TestUser user = TestApi.createUser("bearer-two");
        String token = TestApi.login(user);

        // when / then
        given().header("Authorization", "Bearer " + token + " " + token)
                .when().get("/users/current")
                .then().statusCode(401);
    }

    @Test
    void twoTokenCookiesAreRefusedLikeTwoAuthorizationHeaders() {
        // given: both valid, of two users: which one would count is up to whoever parses the header
        String first = TestApi.login(TestApi.createUser("two-cookies-a"));
        String second = TestApi.login(TestApi.createUser("two-cookies-b"));

        // when / then: in one Cookie header, and in two
        given().header("Cookie", "token=" + first + "; token=" + second)
                .when().get("/users/current")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
        given().header("Cookie", "token=" + first).header("Cookie", "token=" + second)
                .when().get("/users/current")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
    }

    @Test
    void oneTokenCookieAmongOtherCookiesStillCounts() {
        // given
        TestUser user = TestApi.createUser("one-cookie");

        // when / then
        given().header("Cookie", "theme=dark; token=" + TestApi.login(user) + "; tokenish=1")
                .when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }
}
