package io.latchkey.client;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class ClientAdminTest {

    private static String uniqueClientId() {
        return "cl-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ValidatableResponse create(String clientId, List<String> permissions) {
        return given().auth().oauth2(TestApi.adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("client_id", clientId, "permissions", permissions))
                .when().post("/clients")
                .then();
    }

    private static ValidatableResponse introspectAs(String clientId, String secret, String token) {
        return given().auth().preemptive().basic(clientId, secret)
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then();
    }

    @Test
    void createdClientIsAnsweredWithItsSecret() {
        String clientId = uniqueClientId();

        create(clientId, List.of("introspect", "keys:read"))
                .statusCode(201)
                .header("Location", notNullValue())
                .header("Cache-Control", "no-store")
                .body("client_id", equalTo(clientId))
                .body("client_secret", notNullValue())
                .body("permissions", equalTo(List.of("introspect", "keys:read")));
    }

    @Test
    void secretFromCreationAuthenticatesTheClient() {
        String clientId = uniqueClientId();
        String secret = create(clientId, List.of("introspect")).statusCode(201).extract().path("client_secret");
        String token = TestApi.login(TestApi.createUser("cl-user"));

        introspectAs(clientId, secret, token).statusCode(200).body("active", equalTo(true));
    }

    @Test
    void clientSecretIsNotRetrievableAfterCreation() {
        String clientId = uniqueClientId();
        String secret = create(clientId, List.of("introspect")).statusCode(201).extract().path("client_secret");

        String listing = given().auth().oauth2(TestApi.adminToken())
                .when().get("/clients")
                .then().statusCode(200)
                .body("client_id", hasItem(clientId))
                .extract().asString();

        assertFalse(listing.contains(secret), "the secret is not listed");
        assertFalse(listing.contains("secret"), "no secret member of any kind is listed");
    }

    @Test
    void listedClientShowsItsPermissions() {
        String clientId = uniqueClientId();
        create(clientId, List.of("keys:read")).statusCode(201);

        List<String> permissions = given().auth().oauth2(TestApi.adminToken())
                .when().get("/clients")
                .then().statusCode(200)
                .extract().path("find { it.client_id == '" + clientId + "' }.permissions");

        assertTrue(permissions.equals(List.of("keys:read")), String.valueOf(permissions));
    }

    @Test
    void takenClientIdIsAConflict() {
        String clientId = uniqueClientId();
        create(clientId, List.of("introspect")).statusCode(201);

        create(clientId, List.of("keys:read")).statusCode(409).body("error", equalTo("conflict"));
    }

    @Test
    void unknownPermissionIsABadRequest() {
        create(uniqueClientId(), List.of("introspect", "admin")).statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void emptyPermissionsAreABadRequest() {
        create(uniqueClientId(), List.of()).statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void invalidClientIdIsABadRequest() {
        create("has:colon", List.of("introspect")).statusCode(400).body("error", equalTo("invalid_request"));
    }

    @Test
    void deletedClientCanNoLongerAuthenticate() {
        String clientId = uniqueClientId();
        String secret = create(clientId, List.of("introspect")).statusCode(201).extract().path("client_secret");
        String token = TestApi.login(TestApi.createUser("cl-deleted"));
        introspectAs(clientId, secret, token).statusCode(200);

        given().auth().oauth2(TestApi.adminToken())
                .when().delete("/clients/" + clientId)
                .then().statusCode(204);

        introspectAs(clientId, secret, token).statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"latchkey\"")
                .body("error", equalTo("invalid_client"));
    }

    @Test
    void deletedClientIsNoLongerListed() {
        String clientId = uniqueClientId();
        create(clientId, List.of("introspect")).statusCode(201);

        given().auth().oauth2(TestApi.adminToken()).when().delete("/clients/" + clientId).then().statusCode(204);

        List<String> ids = given().auth().oauth2(TestApi.adminToken())
                .when().get("/clients").then().statusCode(200).extract().path("client_id");
        assertFalse(ids.contains(clientId));
    }

    @Test
    void deletingAnUnknownClientIsNotFound() {
        given().auth().oauth2(TestApi.adminToken())
                .when().delete("/clients/" + uniqueClientId())
                .then().statusCode(404)
                .body("error", equalTo("not_found"));
    }

    @Test
    void nonAdminIsForbiddenFromClientAdministration() {
        String token = TestApi.login(TestApi.createUser("cl-nonadmin", "reader"));

        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("client_id", uniqueClientId(), "permissions", List.of("introspect")))
                .when().post("/clients").then().statusCode(403).body("error", equalTo("forbidden"));
        given().auth().oauth2(token).when().get("/clients").then().statusCode(403);
        given().auth().oauth2(token).when().delete("/clients/" + uniqueClientId()).then().statusCode(403);
    }

    @Test
    void clientAdministrationWithoutTokenIsUnauthorized() {
        given().contentType(ContentType.JSON)
                .body(Map.of("client_id", uniqueClientId(), "permissions", List.of("introspect")))
                .when().post("/clients").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey\"");
        given().when().get("/clients").then().statusCode(401);
        given().when().delete("/clients/" + uniqueClientId()).then().statusCode(401);
    }

    @Test
    void clientCredentialsDoNotAdministerClients() {
        String clientId = uniqueClientId();
        String secret = create(clientId, List.of("introspect", "keys:read")).statusCode(201)
                .extract().path("client_secret");

        given().auth().preemptive().basic(clientId, secret)
                .when().get("/clients")
                .then().statusCode(401);
    }
}
