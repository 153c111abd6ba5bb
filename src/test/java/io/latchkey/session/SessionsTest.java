package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.LatchkeyConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * {@code /users/{id}/sessions}: each login is a session the user (or an admin) can list and end; ending one
 * revokes its token like a logout; every change that ends a user's tokens ends the list too.
 */
@QuarkusTest
class SessionsTest {

    @Inject
    Sessions sessions;
    @Inject
    EntityManager entityManager;
    @Inject
    LatchkeyConfig config;

    @Test
    void sessionsAreListedNewestFirstAndTheCallersOwnIsCurrent() {
        // given two logins from two browsers
        TestUser user = TestApi.createUser("sessions");
        String first = loginWithAgent(user, "Browser One");
        String second = loginWithAgent(user, "Browser Two");

        // when
        List<Map<String, Object>> sessions = list(user, second);

        // then
        assertEquals(2, sessions.size(), sessions.toString());
        assertEquals(jti(second), sessions.get(0).get("jti"));
        assertEquals(true, sessions.get(0).get("current"));
        assertEquals("Browser Two", sessions.get(0).get("user_agent"));
        assertEquals(jti(first), sessions.get(1).get("jti"));
        assertEquals(false, sessions.get(1).get("current"));
        assertEquals("127.0.0.1", sessions.get(1).get("address"));
        Instant issued = Instant.parse((String) sessions.get(1).get("issued_at"));
        Instant expires = Instant.parse((String) sessions.get(1).get("expires_at"));
        assertEquals(((Number) TestApi.claims(first).get("exp")).longValue(), expires.getEpochSecond());
        long iat = ((Number) TestApi.claims(first).get("iat")).longValue();
        assertTrue(issued.getEpochSecond() >= iat && issued.getEpochSecond() <= iat + 5, issued + " vs iat " + iat);
    }

    @Test
    void theUserAgentIsCutTo200Characters() {
        TestUser user = TestApi.createUser("long-agent");
        String token = loginWithAgent(user, "A".repeat(1000));
        assertEquals(200, ((String) list(user, token).get(0).get("user_agent")).length());
    }

    @Test
    void endingASessionRevokesItsTokenAndDropsItFromTheList() {
        // given
        TestUser user = TestApi.createUser("end-one");
        String phone = TestApi.login(user);
        String laptop = TestApi.login(user);

        // when the laptop ends the phone's session
        given().auth().oauth2(laptop).when().delete("/users/" + user.id() + "/sessions/" + jti(phone))
                .then().statusCode(204);

        // then
        assertFalse(TestApi.isActive(phone));
        assertTrue(TestApi.isActive(laptop));
        List<Map<String, Object>> left = list(user, laptop);
        assertEquals(List.of(jti(laptop)), left.stream().map(s -> s.get("jti")).toList());
    }

    @Test
    void anotherUsersSessionIsNotFound() {
        // given
        TestUser alice = TestApi.createUser("alice-sessions");
        TestUser bob = TestApi.createUser("bob-sessions");
        String aliceToken = TestApi.login(alice);
        String bobToken = TestApi.login(bob);

        // when / then: a jti of Bob's under Alice's sessions, and an unknown one
        given().auth().oauth2(aliceToken).when().delete("/users/" + alice.id() + "/sessions/" + jti(bobToken))
                .then().statusCode(404).body("error", equalTo("not_found"));
        given().auth().oauth2(aliceToken).when().delete("/users/" + alice.id() + "/sessions/no-such-jti")
                .then().statusCode(404);
        assertTrue(TestApi.isActive(bobToken));
    }

    @Test
    void anotherNonAdminUserMayNeitherListNorEnd() {
        TestUser alice = TestApi.createUser("alice-forbidden");
        TestUser bob = TestApi.createUser("bob-forbidden");
        String bobToken = TestApi.login(bob);
        String aliceToken = TestApi.login(alice);
        given().auth().oauth2(aliceToken).when().get("/users/" + bob.id() + "/sessions").then().statusCode(403);
        given().auth().oauth2(aliceToken).when().delete("/users/" + bob.id() + "/sessions/" + jti(bobToken))
                .then().statusCode(403);
        assertTrue(TestApi.isActive(bobToken));
    }

    @Test
    void anAdminMayListAndEndAnyUsersSessions() {
        TestUser user = TestApi.createUser("admin-ends");
        String token = TestApi.login(user);
        String admin = TestApi.adminToken();
        given().auth().oauth2(admin).when().get("/users/" + user.id() + "/sessions")
                .then().statusCode(200).body("[0].jti", equalTo(jti(token))).body("[0].current", equalTo(false));
        given().auth().oauth2(admin).when().delete("/users/" + user.id() + "/sessions/" + jti(token))
                .then().statusCode(204);
        assertFalse(TestApi.isActive(token));
    }

    @Test
    void endingASessionNeedsTheTokenInAHeader() {
        TestUser user = TestApi.createUser("cookie-end");
        String token = TestApi.login(user);
        given().cookie("token", token).when().delete("/users/" + user.id() + "/sessions/" + jti(token))
                .then().statusCode(401);
        assertTrue(TestApi.isActive(token));
    }

    @Test
    void logoutEndsTheSession() {
        TestUser user = TestApi.createUser("logout-session");
        String gone = TestApi.login(user);
        String kept = TestApi.login(user);
        given().auth().oauth2(gone).when().post("/logout").then().statusCode(204);
        assertEquals(List.of(jti(kept)), list(user, kept).stream().map(s -> s.get("jti")).toList());
    }

    @Test
    void rotationEndsAllSessions() {
        TestUser user = TestApi.createUser("rotate-sessions");
        TestApi.login(user);
        String token = TestApi.login(user);
        given().auth().oauth2(token).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);
        assertEquals(List.of(), listAsAdmin(user));
    }

    @Test
    void disablePasswordAndRoleChangesEndAllSessions() {
        for (Map<String, Object> change : List.<Map<String, Object>>of(Map.of("enabled", false),
                Map.of("password", "another-password-123"), Map.of("roles", List.of("auditor")))) {
            TestUser user = TestApi.createUser("change-sessions");
            TestApi.login(user);
            given().auth().oauth2(TestApi.adminToken()).contentType(ContentType.JSON).body(change)
                    .when().patch("/users/" + user.id()).then().statusCode(200);
            assertEquals(List.of(), listAsAdmin(user), "after " + change);
        }
    }

    @Test
    void deletingTheUserEndsAllSessions() {
        TestUser user = TestApi.createUser("delete-sessions");
        TestApi.login(user);
        given().auth().oauth2(TestApi.adminToken()).when().delete("/users/" + user.id()).then().statusCode(204);
        given().auth().oauth2(TestApi.adminToken()).when().get("/users/" + user.id() + "/sessions")
                .then().statusCode(404);
    }

    @Test
    void expiredSessionsArePrunedAndLiveOnesKept() throws Exception {
        // given a user with a live session, and that session's row as it will be once its token expired
        TestUser user = TestApi.createUser("prune-sessions");
        String token = TestApi.login(user);
        Instant expires = Instant.ofEpochSecond(((Number) TestApi.claims(token).get("exp")).longValue());

        // when: pruning at an instant before the expiry (with the leeway), then at one after it
        sessions.pruneExpired(expires);
        long before = storedSessions(user);
        sessions.pruneExpired(expires.plus(config.clockSkew()).plusSeconds(1));

        // then
        assertEquals(1, before, "a session is kept while its token may still pass");
        assertEquals(0, storedSessions(user), "an expired session is gone from the table, not only from the list");
    }

    private long storedSessions(TestUser user) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager
                .createNativeQuery("SELECT count(*) FROM sessions WHERE user_id = ?1")
                .setParameter(1, user.id()).getSingleResult()).longValue());
    }

    private static String loginWithAgent(TestUser user, String agent) {
        return given().auth().preemptive().basic(user.username(), user.password()).header("User-Agent", agent)
                .when().post("/login").then().statusCode(200).extract().path("token");
    }

    private static List<Map<String, Object>> list(TestUser user, String token) {
        return given().auth().oauth2(token).when().get("/users/" + user.id() + "/sessions")
                .then().statusCode(200).header("Cache-Control", "no-store").extract().jsonPath().getList("$");
    }

    private static List<Map<String, Object>> listAsAdmin(TestUser user) {
        return given().auth().oauth2(TestApi.adminToken()).when().get("/users/" + user.id() + "/sessions")
                .then().statusCode(200).extract().jsonPath().getList("$");
    }

    private static String jti(String token) {
        return (String) TestApi.claims(token).get("jti");
    }
}
