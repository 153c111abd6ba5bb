package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** {@code POST /logout}: revokes the presented token server side, and always expires the cookie. */
@QuarkusTest
class LogoutTest {

    @Inject
    AgroalDataSource dataSource;

    private static final String EXPIRED_COOKIE = "token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";

    @Test
    void logoutAnswers204AndExpiresTheCookie() {
        // given
        String token = TestApi.login(TestApi.createUser("logout"));

        // when
        Response response = given().auth().oauth2(token).when().post("/logout");

        // then: Secure is absent because the test profile sets latchkey.cookie.secure=false
        response.then().statusCode(204);
        assertEquals(List.of(EXPIRED_COOKIE), response.headers().getValues("Set-Cookie"));
    }

    @Test
    void logoutRevokesThePresentedToken() {
        // given
        String token = TestApi.login(TestApi.createUser("revoke"));
        assertEquals(true, TestApi.introspect(token).get("active"));

        // when
        given().auth().oauth2(token).when().post("/logout").then().statusCode(204);

        // then
        assertEquals(Map.of("active", false), TestApi.introspect(token));
        given().auth().oauth2(token).when().get("/users/current").then().statusCode(401);
    }

    @Test
    void logoutWithTheCookieRevokesThatToken() {
        // given: a browser session
        String token = TestApi.login(TestApi.createUser("cookie-logout"));

        // when
        given().cookie("token", token).when().post("/logout").then().statusCode(204);

        // then
        assertEquals(Map.of("active", false), TestApi.introspect(token));
    }

    @Test
    void logoutWithoutATokenStillAnswers204AndExpiresTheCookie() {
        // when
        Response response = given().when().post("/logout");

        // then
        response.then().statusCode(204);
        assertEquals(List.of(EXPIRED_COOKIE), response.headers().getValues("Set-Cookie"));
    }

    @Test
    void logoutWithAnInvalidTokenStillAnswers204AndExpiresTheCookie() {
        // when
        Response response = given().auth().oauth2("not.a.token").when().post("/logout");

        // then
        response.then().statusCode(204);
        assertEquals(List.of(EXPIRED_COOKIE), response.headers().getValues("Set-Cookie"));
    }

    @Test
    void secondTokenOfTheSameUserSurvivesLogoutOfTheFirst() {
        // given: two sessions of one user
        TestUser user = TestApi.createUser("two-sessions");
        String first = TestApi.login(user);
        String second = TestApi.login(user);

        // when
        given().auth().oauth2(first).when().post("/logout").then().statusCode(204);

        // then
        assertEquals(true, TestApi.introspect(second).get("active"));
        given().auth().oauth2(second).when().get("/users/current")
                .then().statusCode(200).body("id", equalTo(user.id().toString()));
    }

    @Test
    void logoutThatCannotStoreTheRevocationAnswers503AndStillExpiresTheCookie() throws Exception {
        // given: a session whose revocation the database refuses to store (as when it is unreachable)
        String token = TestApi.login(TestApi.createUser("unstored-logout"));
        String jti = TestApi.claims(token).get("jti").toString();
        execute("CREATE FUNCTION refuse_test_revocation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.jti = '" + jti + "' THEN RAISE EXCEPTION 'storage refused by the test'; END IF;"
                + " RETURN NEW; END $$");
        execute("CREATE TRIGGER refuse_test_revocation BEFORE INSERT ON revoked_tokens"
                + " FOR EACH ROW EXECUTE FUNCTION refuse_test_revocation()");
        Response response;
        try {
            // when
            response = given().auth().oauth2(token).when().post("/logout");
        } finally {
            execute("DROP TRIGGER refuse_test_revocation ON revoked_tokens");
            execute("DROP FUNCTION refuse_test_revocation()");
        }

        // then: not a 204 that lets the user believe the token is dead
        response.then().statusCode(503)
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("error", equalTo("temporarily_unavailable"));
        assertEquals(List.of(EXPIRED_COOKIE), response.headers().getValues("Set-Cookie"));
        assertEquals(true, TestApi.introspect(token).get("active"));
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
