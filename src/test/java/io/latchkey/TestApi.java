package io.latchkey;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;

/**
 * Test fixtures driven through the public HTTP API: the bootstrap admin (from the test profile), fresh users
 * with unique names (tests do not rely on rollback), logins and clients.
 */
public final class TestApi {

    public static final String ADMIN_USERNAME = "admin";
    public static final String ADMIN_PASSWORD = "test-admin-password";

    public record TestUser(UUID id, String username, String password) {
    }

    public record TestClient(String clientId, String secret) {
    }

    private static TestClient introspector;

    private TestApi() {
    }

    /** One client holding "introspect", shared by the tests of a run. */
    public static synchronized TestClient introspector() {
        if (introspector == null) {
            introspector = createClient("introspect");
        }
        return introspector;
    }

    /** The answer of POST /introspect for {@code token}, asked as {@link #introspector()}. */
    public static Map<String, Object> introspect(String token) {
        TestClient client = introspector();
        return given().auth().preemptive().basic(client.clientId(), client.secret())
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(200)
                .extract().jsonPath().getMap("$");
    }

    public static boolean isActive(String token) {
        return Boolean.TRUE.equals(introspect(token).get("active"));
    }

    /** The claims of a token (its payload, decoded without any check). */
    public static Map<String, Object> claims(String token) {
        byte[] payload = Base64.getUrlDecoder().decode(token.split("\\.")[1]);
        return io.restassured.path.json.JsonPath.from(new String(payload, StandardCharsets.UTF_8)).getMap("$");
    }

    public static String adminToken() {
        return login(ADMIN_USERNAME, ADMIN_PASSWORD);
    }

    /** A new enabled user with a unique name starting with {@code prefix}. */
    public static TestUser createUser(String prefix, String... roles) {
        String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        String id = given().auth().oauth2(adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password, "roles", List.of(roles)))
                .when().post("/users")
                .then().statusCode(201)
                .extract().path("id");
        return new TestUser(UUID.fromString(id), username, password);
    }

    public static String login(String username, String password) {
        return given().auth().preemptive().basic(username, password)
                .when().post("/login")
                .then().statusCode(200)
                .extract().path("token");
    }

    public static String login(TestUser user) {
        return login(user.username(), user.password());
    }

    /** A new client holding {@code permissions} ("introspect", "keys:read"). */
    public static TestClient createClient(String... permissions) {
        String clientId = "client-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = given().auth().oauth2(adminToken())
                .contentType(ContentType.JSON)
                .body(Map.of("client_id", clientId, "permissions", List.of(permissions)))
                .when().post("/clients")
                .then().statusCode(201)
                .extract().path("client_secret");
        return new TestClient(clientId, secret);
    }
}
