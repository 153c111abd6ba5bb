package io.latchkey.user;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class UserAdminTest {

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ValidatableResponse createAs(String adminToken, Object body) {
        return given().auth().oauth2(adminToken)
                .contentType(ContentType.JSON).body(body)
                .when().post("/users")
                .then();
    }

    private static ValidatableResponse patch(UUID id, Map<String, Object> body) {
        return given().auth().oauth2(TestApi.adminToken())
                .contentType(ContentType.JSON).body(body)
                .when().patch("/users/" + id)
                .then();
    }

    private static int loginStatus(String username, String password) {
        return given().auth().preemptive().basic(username, password)
                .when().post("/login")
                .then().extract().statusCode();
    }

    // create

    @Test
    void createdUserIsAnsweredWithLocationAndTheUser() {
        String username = unique("adm-create");

        String id = createAs(TestApi.adminToken(), Map.of("username", username, "password", "password-123",
                "roles", List.of("reader")))
                .statusCode(201)
                .header("Location", notNullValue())
                .body("username", equalTo(username))
                .body("roles", equalTo(List.of("reader")))
                .body("enabled", equalTo(true))
                .body("created_at", notNullValue())
                .body("password", nullValue())
                .body("password_hash", nullValue())
                .extract().path("id");

        UUID.fromString(id);
    }

    @Test
    void locationNamesTheCreatedUser() {
        String admin = TestApi.adminToken();

        io.restassured.response.ExtractableResponse<?> created = createAs(admin,
                Map.of("username", unique("adm-location"), "password", "password-123", "roles", List.of()))
                .statusCode(201).extract();

        String id = created.path("id");
        String location = created.header("Location");
        assertTrue(location.endsWith("/users/" + id), location);
        given().auth().oauth2(admin).when().get(java.net.URI.create(location).getPath())
                .then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void createdUserCanLogIn() {
        String username = unique("adm-login");
        createAs(TestApi.adminToken(), Map.of("username", username, "password", "password-123", "roles", List.of()))
                .statusCode(201);

        assertEquals(200, loginStatus(username, "password-123"));
    }

    @Test
    void usernameTakenInAnotherCaseIsAConflict() {
        String username = unique("adm-case");
        String admin = TestApi.adminToken();
        createAs(admin, Map.of("username", username, "password", "password-123", "roles", List.of()))
                .statusCode(201);

        createAs(admin, Map.of("username", username.toUpperCase(java.util.Locale.ROOT), "password", "password-456",
                "roles", List.of()))
                .statusCode(409)
                .body("error", equalTo("conflict"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "ctl\u0007name", "nul\u0000name", "new\nline", "tab\tname" })
    void invalidUsernameIsABadRequest(String username) {
        createAs(TestApi.adminToken(), Map.of("username", username, "password", "password-123", "roles", List.of()))
                .statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @Test
    void usernameOverSixtyFourBytesIsABadRequest() {
        createAs(TestApi.adminToken(), Map.of("username", "u".repeat(65), "password", "password-123",
                "roles", List.of()))
                .statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @Test
    void usernameOverSixtyFourUtf8BytesButFewerCharactersIsABadRequest() {
        String username = "\u00e9".repeat(33); // 33 characters, 66 bytes

        createAs(TestApi.adminToken(), Map.of("username", username, "password", "password-123", "roles", List.of()))
                .statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @Test
    void usernameOfSixtyFourBytesIsAccepted() {
        String username = unique("adm-64") ;
        username = username + "x".repeat(64 - username.length());

        createAs(TestApi.adminToken(), Map.of("username", username, "password", "password-123", "roles", List.of()))
                .statusCode(201);
    }

    @Test
    void missingUsernameIsABadRequest() {
        createAs(TestApi.adminToken(), Map.of("password", "password-123", "roles", List.of()))
                .statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 7, 1025 })
    void passwordOutsideEightTo1024BytesIsABadRequest(int length) {
        createAs(TestApi.adminToken(), Map.of("username", unique("adm-pwlen"), "password", "p".repeat(length),
                "roles", List.of()))
                .statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @Test
    void passwordOver1024Utf8BytesButFewerCharactersIsABadRequest() {
        String password = "\u00e9".repeat(513); // 513 characters, 1026 bytes

        createAs(TestApi.adminToken(), Map.of("username", unique("adm-pwutf8"), "password", password,
                "roles", List.of()))
                .statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @ParameterizedTest
    @ValueSource(ints = { 8, 1024 })
    void passwordAtTheLengthLimitsIsAccepted(int length) {
        String username = unique("adm-pwok");
        String password = "p".repeat(length);

        createAs(TestApi.adminToken(), Map.of("username", username, "password", password, "roles", List.of()))
                .statusCode(201);
        assertEquals(200, loginStatus(username, password));
    }

    @Test
    void missingPasswordIsABadRequest() {
        createAs(TestApi.adminToken(), Map.of("username", unique("adm-nopw"), "roles", List.of()))
                .statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @Test
    void malformedJsonIsABadRequest() {
        given().auth().oauth2(TestApi.adminToken())
                .contentType(ContentType.JSON).body("{\"username\": ")
                .when().post("/users")
                .then().statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    // list and get

    @Test
    void usersArePagedByOffsetAndLimit() {
        for (int i = 0; i < 3; i++) {
            TestApi.createUser("adm-page");
        }
        String admin = TestApi.adminToken();

        List<String> firstTwo = given().auth().oauth2(admin)
                .queryParam("offset", 0).queryParam("limit", 2)
                .when().get("/users")
                .then().statusCode(200)
                .body("users", hasSize(2))
                .body("offset", equalTo(0))
                .body("limit", equalTo(2))
                .extract().path("users.id");
        List<String> second = given().auth().oauth2(admin)
                .queryParam("offset", 1).queryParam("limit", 1)
                .when().get("/users")
                .then().statusCode(200)
                .body("users", hasSize(1))
                .extract().path("users.id");

        assertEquals(firstTwo.get(1), second.get(0));
        assertNotEquals(firstTwo.get(0), firstTwo.get(1));
    }

    @Test
    void pagingReportsTheTotalAndRunsOut() {
        TestApi.createUser("adm-total");
        String admin = TestApi.adminToken();
        int total = given().auth().oauth2(admin).when().get("/users")
                .then().statusCode(200).extract().path("total");
        assertTrue(total >= 2, "admin and the new user");

        given().auth().oauth2(admin)
                .queryParam("offset", total - 1).queryParam("limit", 10)
                .when().get("/users")
                .then().statusCode(200)
                .body("users", hasSize(1));
        given().auth().oauth2(admin)
                .queryParam("offset", total).queryParam("limit", 10)
                .when().get("/users")
                .then().statusCode(200)
                .body("users", empty());
    }

    @Test
    void listedUsersShowNoPasswordHash() {
        TestApi.createUser("adm-nohash");

        String body = given().auth().oauth2(TestApi.adminToken())
                .when().get("/users")
                .then().statusCode(200)
                .extract().asString();

        assertTrue(!body.contains("password") && !body.contains("$argon2"), body);
    }

    @ParameterizedTest
    @ValueSource(strings = { "offset=-1", "offset=abc", "limit=0", "limit=-5", "limit=abc", "limit=100000",
            "offset=1.5", "limit=99999999999999999999" })
    void badPagingValueIsABadRequest(String query) {
        given().auth().oauth2(TestApi.adminToken())
                .urlEncodingEnabled(false)
                .when().get("/users?" + query)
                .then().statusCode(400)
                .body("error", equalTo("invalid_request"));
    }

    @Test
    void userIsFoundById() {
        TestUser user = TestApi.createUser("adm-get", "reader");

        given().auth().oauth2(TestApi.adminToken())
                .when().get("/users/" + user.id())
                .then().statusCode(200)
                .body("id", equalTo(user.id().toString()))
                .body("username", equalTo(user.username()))
                .body("roles", equalTo(List.of("reader")))
                .body("enabled", equalTo(true))
                .body("created_at", notNullValue());
    }

    @Test
    void unknownUserIsNotFound() {
        given().auth().oauth2(TestApi.adminToken())
                .when().get("/users/" + UUID.randomUUID())
                .then().statusCode(404)
                .body("error", equalTo("not_found"));
    }

    @Test
    void malformedUserIdIsNotFound() {
        given().auth().oauth2(TestApi.adminToken())
                .when().get("/users/not-a-uuid")
                .then().statusCode(404)
                .body("error", equalTo("not_found"));
    }

    // patch

    @Test
    void disablingAUserIsShownAndStopsTheirLogin() {
        TestUser user = TestApi.createUser("adm-disable");

        patch(user.id(), Map.of("enabled", false)).statusCode(200).body("enabled", equalTo(false));

        assertEquals(401, loginStatus(user.username(), user.password()));
    }

    @Test
    void reEnablingAUserLetsThemLogInAgain() {
        TestUser user = TestApi.createUser("adm-reenable");
        patch(user.id(), Map.of("enabled", false)).statusCode(200);

        patch(user.id(), Map.of("enabled", true)).statusCode(200).body("enabled", equalTo(true));

        assertEquals(200, loginStatus(user.username(), user.password()));
    }

    @Test
    void disablingAUserInvalidatesTheirTokensAtOnce() {
        TestUser user = TestApi.createUser("adm-disable-tokens");
        String token = TestApi.login(user);
        assertTrue(TestApi.isActive(token));

        patch(user.id(), Map.of("enabled", false)).statusCode(200);

        assertEquals(false, TestApi.isActive(token));
        given().auth().oauth2(token).when().get("/users/current")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
    }

    @Test
    void changingRolesIsShownAndInNewTokens() {
        TestUser user = TestApi.createUser("adm-roles", "reader");

        patch(user.id(), Map.of("roles", List.of("writer", "auditor")))
                .statusCode(200)
                .body("roles", equalTo(List.of("writer", "auditor")));

        given().auth().preemptive().basic(user.username(), user.password())
                .when().post("/login")
                .then().statusCode(200)
                .body("user.roles", equalTo(List.of("writer", "auditor")));
    }

    @Test
    void invalidRoleNameIsABadRequest() {
        TestUser user = TestApi.createUser("adm-badrole");

        patch(user.id(), Map.of("roles", List.of("has space"))).statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void changingThePasswordReplacesTheOldOne() {
        TestUser user = TestApi.createUser("adm-pw");

        patch(user.id(), Map.of("password", "brand-new-password")).statusCode(200);

        assertEquals(401, loginStatus(user.username(), user.password()));
        assertEquals(200, loginStatus(user.username(), "brand-new-password"));
    }

    @Test
    void changingThePasswordInvalidatesExistingTokens() {
        TestUser user = TestApi.createUser("adm-pw-tokens");
        String token = TestApi.login(user);
        assertTrue(TestApi.isActive(token));

        patch(user.id(), Map.of("password", "brand-new-password")).statusCode(200);

        assertEquals(false, TestApi.isActive(token));
    }

    @Test
    void tooShortNewPasswordIsABadRequestAndChangesNothing() {
        TestUser user = TestApi.createUser("adm-pw-short");

        patch(user.id(), Map.of("password", "short")).statusCode(400).body("error", equalTo("invalid_request"));

        assertEquals(200, loginStatus(user.username(), user.password()));
    }

    @Test
    void patchingAnUnknownMemberIsABadRequest() {
        TestUser user = TestApi.createUser("adm-patch-unknown");

        patch(user.id(), Map.of("username", "renamed")).statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void patchWithWrongTypeIsABadRequest() {
        TestUser user = TestApi.createUser("adm-patch-type");
        Map<String, Object> body = new HashMap<>();
        body.put("enabled", "no");

        patch(user.id(), body).statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void patchingAnUnknownUserIsNotFound() {
        patch(UUID.randomUUID(), Map.of("enabled", false)).statusCode(404).body("error", equalTo("not_found"));
    }

    // delete

    @Test
    void deletedUserIsGone() {
        TestUser user = TestApi.createUser("adm-delete");
        String admin = TestApi.adminToken();

        given().auth().oauth2(admin).when().delete("/users/" + user.id())
                .then().statusCode(204);

        given().auth().oauth2(admin).when().get("/users/" + user.id())
                .then().statusCode(404).body("error", equalTo("not_found"));
        given().auth().oauth2(admin).when().delete("/users/" + user.id())
                .then().statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void deletedUsersTokenIsRefused() {
        TestUser user = TestApi.createUser("adm-delete-token");
        String token = TestApi.login(user);
        assertTrue(TestApi.isActive(token));

        given().auth().oauth2(TestApi.adminToken()).when().delete("/users/" + user.id())
                .then().statusCode(204);

        assertEquals(false, TestApi.isActive(token));
        given().auth().oauth2(token).when().get("/users/current")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\", error=\"invalid_token\"");
    }

    @Test
    void deletedUsersNameCanBeTakenAgain() {
        TestUser user = TestApi.createUser("adm-reuse");
        String admin = TestApi.adminToken();
        given().auth().oauth2(admin).when().delete("/users/" + user.id()).then().statusCode(204);

        createAs(admin, Map.of("username", user.username(), "password", "password-123", "roles", List.of()))
                .statusCode(201)
                .body("id", not(equalTo(user.id().toString())));
    }

    // who may administer

    @Test
    void nonAdminIsForbiddenFromEveryAdministrationCall() {
        TestUser target = TestApi.createUser("adm-target");
        String token = TestApi.login(TestApi.createUser("adm-nonadmin", "reader"));

        createAs(token, Map.of("username", unique("adm-x"), "password", "password-123", "roles", List.of()))
                .statusCode(403).body("error", equalTo("forbidden"));
        given().auth().oauth2(token).when().get("/users").then().statusCode(403);
        given().auth().oauth2(token).when().get("/users/" + target.id()).then().statusCode(403);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("enabled", false))
                .when().patch("/users/" + target.id()).then().statusCode(403);
        given().auth().oauth2(token).when().delete("/users/" + target.id()).then().statusCode(403);

        assertEquals(200, loginStatus(target.username(), target.password()));
    }

    @Test
    void userCannotMakeThemselvesAdmin() {
        TestUser user = TestApi.createUser("adm-escalate");
        String token = TestApi.login(user);

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("roles", List.of("admin")))
                .when().patch("/users/" + user.id())
                .then().statusCode(403);
    }

    @Test
    void administrationWithoutTokenIsUnauthorized() {
        TestUser target = TestApi.createUser("adm-anon");

        given().contentType(ContentType.JSON)
                .body(Map.of("username", unique("adm-y"), "password", "password-123", "roles", List.of()))
                .when().post("/users")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\"")
                .body("error", notNullValue());
        given().when().get("/users").then().statusCode(401);
        given().when().get("/users/" + target.id()).then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("enabled", false))
                .when().patch("/users/" + target.id()).then().statusCode(401);
        given().when().delete("/users/" + target.id()).then().statusCode(401);
    }
}
