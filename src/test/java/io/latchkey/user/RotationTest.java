package io.latchkey.user;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import java.util.UUID;

import org.jose4j.jwx.JsonWebStructure;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class RotationTest {

    private static String kidOf(String token) {
        try {
            return JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue();
        } catch (org.jose4j.lang.JoseException e) {
            throw new AssertionError("not a compact JWS", e);
        }
    }

    @Test
    void adminRotationAnswersTheUserANewKidAndTheTime() {
        TestUser user = TestApi.createUser("rot-admin");
        String oldKid = kidOf(TestApi.login(user));

        given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200)
                .body("id", equalTo(user.id().toString()))
                .body("kid", notNullValue())
                .body("kid", not(equalTo(oldKid)))
                .body("rotated_at", matchesPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"));
    }

    @Test
    void userMayRotateTheirOwnKey() {
        TestUser user = TestApi.createUser("rot-self");
        String token = TestApi.login(user);

        given().auth().oauth2(token)
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200)
                .body("id", equalTo(user.id().toString()))
                .body("kid", not(equalTo(kidOf(token))));
    }

    @Test
    void tokenIssuedBeforeRotationIsInvalidRightAfter() {
        TestUser user = TestApi.createUser("rot-old");
        String token = TestApi.login(user);
        assertEquals(true, TestApi.isActive(token));

        given().auth().oauth2(token)
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200);

        assertEquals(false, TestApi.isActive(token));
        given().auth().oauth2(token)
                .when().get("/users/current")
                .then().statusCode(401)
                .body("error", equalTo("invalid_token"));
    }

    @Test
    void loginAfterRotationSignsWithTheNewKid() {
        TestUser user = TestApi.createUser("rot-new");
        String newKid = given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200)
                .extract().path("kid");

        String token = TestApi.login(user);

        assertEquals(newKid, kidOf(token));
        assertEquals(true, TestApi.isActive(token));
    }

    @Test
    void everyRotationGivesADifferentKid() {
        TestUser user = TestApi.createUser("rot-twice");
        String admin = TestApi.adminToken();

        String first = given().auth().oauth2(admin).when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200).extract().path("kid");
        String second = given().auth().oauth2(admin).when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200).extract().path("kid");

        assertNotEquals(first, second);
    }

    @Test
    void anotherNonAdminUserCannotRotateYourKey() {
        TestUser victim = TestApi.createUser("rot-victim");
        String victimToken = TestApi.login(victim);
        String attacker = TestApi.login(TestApi.createUser("rot-attacker", "reader"));

        given().auth().oauth2(attacker)
                .when().post("/users/" + victim.id() + "/rotate")
                .then().statusCode(403)
                .body("error", equalTo("forbidden"));

        assertEquals(true, TestApi.isActive(victimToken));
    }

    @Test
    void nonAdminRotatingAnUnknownUserIsForbiddenNotTold() {
        String caller = TestApi.login(TestApi.createUser("rot-probe"));

        given().auth().oauth2(caller)
                .when().post("/users/" + UUID.randomUUID() + "/rotate")
                .then().statusCode(403);
    }

    @Test
    void adminRotatingAnUnknownUserIsNotFound() {
        given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + UUID.randomUUID() + "/rotate")
                .then().statusCode(404)
                .body("error", equalTo("not_found"));
    }

    @Test
    void rotationWithoutTokenIsUnauthorized() {
        TestUser user = TestApi.createUser("rot-anon");

        given().when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\"");
    }

    @Test
    void rotationWithInvalidTokenIsUnauthorized() {
        TestUser user = TestApi.createUser("rot-badtoken");

        given().header("Authorization", "Bearer not.a.token")
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(401)
                .body("error", equalTo("invalid_token"));
    }

    @Test
    void rotationBodyHasExactlyIdKidAndRotatedAt() {
        TestUser user = TestApi.createUser("rot-members");

        Map<String, Object> body = given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200)
                .extract().jsonPath().getMap("$");

        assertEquals(java.util.Set.of("id", "kid", "rotated_at"), body.keySet());
    }
}
