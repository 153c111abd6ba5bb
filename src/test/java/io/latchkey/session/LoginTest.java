package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.LatchkeyConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/** {@code POST /login}: each way to send credentials, the response, and every refusal. */
@QuarkusTest
class LoginTest {

    @Inject
    LatchkeyConfig config;

    @Test
    void httpBasicLoginSucceeds() {
        // given
        TestUser user = TestApi.createUser("basic");

        // when / then
        assertLoggedIn(given().auth().preemptive().basic(user.username(), user.password())
                .when().post("/login").then(), user);
    }

    @Test
    void formLoginWithUsernameAndPasswordSucceeds() {
        // given
        TestUser user = TestApi.createUser("form");

        // when / then
        assertLoggedIn(given().contentType("application/x-www-form-urlencoded")
                .formParam("username", user.username()).formParam("password", user.password())
                .when().post("/login").then(), user);
    }

    @Test
    void formLoginWithAcNameAndAcPasswordAliasesSucceeds() {
        // given
        TestUser user = TestApi.createUser("plone");

        // when / then
        assertLoggedIn(given().contentType("application/x-www-form-urlencoded")
                .formParam("__ac_name", user.username()).formParam("__ac_password", user.password())
                .when().post("/login").then(), user);
    }

    @Test
    void jsonLoginSucceeds() {
        // given
        TestUser user = TestApi.createUser("json");

        // when / then
        assertLoggedIn(given().contentType("application/json")
                .body(Map.of("username", user.username(), "password", user.password()))
                .when().post("/login").then(), user);
    }

    @Test
    void basicCredentialsAreDecodedAsUtf8() {
        // given: a password beyond ASCII
        String username = "utf8-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "p\u00e4ssw\u00f6rd-\u00f1-\u20ac";
        given().auth().oauth2(TestApi.adminToken()).contentType("application/json")
                .body(Map.of("username", username, "password", password, "roles", List.of()))
                .when().post("/users")
                .then().statusCode(201);
        String credentials = Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));

        // when / then
        given().header("Authorization", "Basic " + credentials)
                .when().post("/login")
                .then().statusCode(200).body("user.username", equalTo(username));
    }

    @Test
    void usernameIsCaseInsensitiveAtLogin() {
        // given
        TestUser user = TestApi.createUser("casing");

        // when / then
        given().auth().preemptive().basic(user.username().toUpperCase(Locale.ROOT), user.password())
                .when().post("/login")
                .then().statusCode(200).body("user.id", equalTo(user.id().toString()));
    }

    @Test
    void loginBodyCarriesTheBearerTokenItsExpiryAndTheUser() {
        // given
        TestUser user = TestApi.createUser("body", "reader", "writer");
        long lifetime = config.tokenLifetime().toSeconds();

        // when
        Instant before = Instant.now();
        ExtractableResponse<Response> response = basicLogin(user).then().statusCode(200)
                .body("token", not(emptyOrNullString()))
                .body("token_type", equalTo("Bearer"))
                .body("expires_in", equalTo((int) lifetime))
                .body("user.id", equalTo(user.id().toString()))
                .body("user.username", equalTo(user.username()))
                .body("user.roles", equalTo(List.of("reader", "writer")))
                .extract();

        // then: expires is an ISO-8601 instant about expires_in seconds from now
        Instant expires = Instant.parse(response.path("expires"));
        assertTrue(!expires.isBefore(before.plusSeconds(lifetime).minusSeconds(2))
                && !expires.isAfter(Instant.now().plusSeconds(lifetime).plusSeconds(2)), "expires " + expires);
    }

    @Test
    void loginResponseIsNotCached() {
        // given
        TestUser user = TestApi.createUser("nostore");

        // when / then
        basicLogin(user).then().statusCode(200).header("Cache-Control", equalTo("no-store"));
    }

    @Test
    void loginSetsTheTokenCookieWithExactAttributes() {
        // given: the test profile serves plain HTTP, so latchkey.cookie.secure=false and no Secure attribute
        TestUser user = TestApi.createUser("cookie");

        // when
        Response response = basicLogin(user);

        // then
        response.then().statusCode(200);
        List<String> cookies = response.headers().getValues("Set-Cookie");
        assertEquals(List.of("token=" + response.path("token") + "; Path=/; Max-Age="
                + config.tokenLifetime().toSeconds() + "; HttpOnly; SameSite=Lax"), cookies);
    }

    @Test
    void wrongPasswordIsInvalidCredentials() {
        // given
        TestUser user = TestApi.createUser("wrongpw");

        // when / then
        given().auth().preemptive().basic(user.username(), "not-" + user.password())
                .when().post("/login")
                .then().statusCode(401)
                .contentType("application/json")
                .body("error", equalTo("invalid_credentials"))
                .body("error_description", not(emptyOrNullString()));
    }

    @Test
    void invalidCredentialsAnswerCarriesABasicChallenge() {
        // given
        TestUser user = TestApi.createUser("challenge");

        // when / then: every 401 names the scheme expected there (RFC 9110)
        given().auth().preemptive().basic(user.username(), "not-" + user.password())
                .when().post("/login")
                .then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Basic realm=\"latchkey\""));
    }

    @Test
    void unknownUserGetsTheSameAnswerAsAWrongPassword() {
        // given
        TestUser user = TestApi.createUser("unknown-ref");
        String wrongPassword = failedLoginBody(user.username(), "not-" + user.password());

        // when
        String unknownUser = failedLoginBody("nobody-" + user.username(), user.password());

        // then
        assertEquals(wrongPassword, unknownUser);
    }

    @Test
    void disabledUserGetsTheSameAnswerAsAWrongPassword() {
        // given: a disabled user who still knows their password
        TestUser user = TestApi.createUser("disabled");
        String wrongPassword = failedLoginBody(user.username(), "not-" + user.password());
        given().auth().oauth2(TestApi.adminToken()).contentType("application/json").body(Map.of("enabled", false))
                .when().patch("/users/" + user.id())
                .then().statusCode(200).body("enabled", equalTo(false));

        // when
        String disabledUser = failedLoginBody(user.username(), user.password());

        // then
        assertEquals(wrongPassword, disabledUser);
    }

    @Test
    void loginWithoutCredentialsIsInvalidRequest() {
        assertInvalidRequest(given().when().post("/login").then());
    }

    @Test
    void basicCredentialsThatAreNotBase64AreInvalidRequest() {
        // given: token68 characters, but not the Base64 alphabet
        assertInvalidRequest(given().header("Authorization", "Basic dXNlcj-_cGFzcw")
                .when().post("/login").then());
    }

    @Test
    void basicCredentialsWithoutAColonAreInvalidRequest() {
        String credentials = Base64.getEncoder().encodeToString("just-a-name".getBytes(StandardCharsets.UTF_8));
        assertInvalidRequest(given().header("Authorization", "Basic " + credentials)
                .when().post("/login").then());
    }

    @Test
    void repeatedFormFieldIsInvalidRequest() {
        assertInvalidRequest(given().contentType("application/x-www-form-urlencoded")
                .body("username=someone&password=one&password=two")
                .when().post("/login").then());
    }

    @Test
    void brokenJsonIsInvalidRequest() {
        assertInvalidRequest(given().contentType("application/json").body("{\"username\": \"someone\", \"password\": ")
                .when().post("/login").then());
    }

    @Test
    void unsupportedContentTypeIsInvalidRequest() {
        // given: credentials that would be fine as a form, sent as plain text
        TestUser user = TestApi.createUser("textplain");

        // when / then
        assertInvalidRequest(given().contentType("text/plain")
                .body("username=" + user.username() + "&password=" + user.password())
                .when().post("/login").then());
    }

    @Test
    void passwordOver1024BytesIsInvalidRequest() {
        assertInvalidRequest(given().contentType("application/json")
                .body(Map.of("username", "someone", "password", "p".repeat(1025)))
                .when().post("/login").then());
    }

    @Test
    void passwordLengthIsCountedInUtf8Bytes() {
        // given: 513 characters, 1026 bytes
        String password = "\u00e9".repeat(513);
        assertEquals(1026, password.getBytes(StandardCharsets.UTF_8).length);

        // when / then
        assertInvalidRequest(given().contentType("application/json; charset=UTF-8")
                .body(Map.of("username", "someone", "password", password))
                .when().post("/login").then());
    }

    private static Response basicLogin(TestUser user) {
        return given().auth().preemptive().basic(user.username(), user.password()).when().post("/login");
    }

    private static void assertLoggedIn(ValidatableResponse response, TestUser user) {
        String token = response.statusCode(200)
                .body("user.username", equalTo(user.username()))
                .extract().path("token");
        given().auth().oauth2(token).when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    private static String failedLoginBody(String username, String password) {
        return given().auth().preemptive().basic(username, password)
                .when().post("/login")
                .then().statusCode(401)
                .body("error", equalTo("invalid_credentials"))
                .extract().asString();
    }

    private static void assertInvalidRequest(ValidatableResponse response) {
        response.statusCode(400)
                .contentType("application/json")
                .body("error", equalTo("invalid_request"))
                .body("error_description", not(emptyOrNullString()));
    }
}
