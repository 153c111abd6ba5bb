package io.latchkey.key;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetSequenceJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwx.JsonWebStructure;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class KeyFetchTest {

    private static TestClient keyReader;

    private static synchronized TestClient keyReader() {
        if (keyReader == null) {
            keyReader = TestApi.createClient("keys:read");
        }
        return keyReader;
    }

    private static ValidatableResponse fetch(String kid) {
        return given().auth().preemptive().basic(keyReader().clientId(), keyReader().secret())
                .when().get("/keys/" + kid)
                .then();
    }

    private static String kidOf(String token) throws Exception {
        return JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue();
    }

    @Test
    void keysReaderGetsTheCurrentKeyAsAJwkNamingItsUser() throws Exception {
        TestUser user = TestApi.createUser("keys-jwk");
        String kid = kidOf(TestApi.login(user));

        Map<String, Object> jwk = fetch(kid).statusCode(200)
                .contentType(ContentType.JSON)
                .extract().jsonPath().getMap("$");

        assertEquals(Set.of("kty", "kid", "alg", "use", "k", "sub"), jwk.keySet());
        assertEquals("oct", jwk.get("kty"));
        assertEquals(kid, jwk.get("kid"));
        assertEquals("HS256", jwk.get("alg"));
        assertEquals("sig", jwk.get("use"));
        assertEquals(user.id().toString(), jwk.get("sub"));
        String k = (String) jwk.get("k");
        assertTrue(k.matches("[A-Za-z0-9_-]+"), "k is unpadded base64url");
        assertTrue(java.util.Base64.getUrlDecoder().decode(k).length >= 32, "at least 256 bits");
    }

    @Test
    void fetchedKeyMayBeCachedPrivatelyForTheConfiguredTime() throws Exception {
        String kid = kidOf(TestApi.login(TestApi.createUser("keys-cache")));

        fetch(kid).statusCode(200)
                .header("Cache-Control", matchesPattern("private, max-age=\\d+"));
    }

    @Test
    void fetchedJwkVerifiesAFreshTokenWithJose4j() throws Exception {
        TestUser user = TestApi.createUser("keys-verify", "reader");
        String token = TestApi.login(user);
        String json = fetch(kidOf(token)).statusCode(200).extract().asString();

        JsonWebKey jwk = JsonWebKey.Factory.newJwk(json);
        assertTrue(jwk instanceof OctetSequenceJsonWebKey, "an oct JWK");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                AlgorithmIdentifiers.HMAC_SHA256));
        jws.setCompactSerialization(token);
        jws.setKey(jwk.getKey());

        assertTrue(jws.verifySignature(), "signature verifies with the fetched key");
        String keyOwner = jwk.getOtherParameterValue("sub", String.class);
        assertEquals(JwtClaims.parse(jws.getPayload()).getSubject(), keyOwner);
        assertEquals(user.id().toString(), keyOwner);
    }

    @Test
    void fetchedJwkDoesNotVerifyAnotherUsersToken() throws Exception {
        String mine = TestApi.login(TestApi.createUser("keys-mine"));
        String theirs = TestApi.login(TestApi.createUser("keys-theirs"));
        String json = fetch(kidOf(mine)).statusCode(200).extract().asString();

        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(theirs);
        jws.setKey(JsonWebKey.Factory.newJwk(json).getKey());

        assertEquals(false, jws.verifySignature());
    }

    @Test
    void hmacKeyOfAnAdminIsNotFound() throws Exception {
        // whoever holds it could mint admin tokens: refused unless LATCHKEY_KEYS_ADMIN=true
        String kid = kidOf(TestApi.login(TestApi.createUser("keys-admin", "admin")));

        fetch(kid).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void keyRotatedAwayIsNotFound() throws Exception {
        TestUser user = TestApi.createUser("keys-rotated");
        String kid = kidOf(TestApi.login(user));
        fetch(kid).statusCode(200);

        given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200);

        fetch(kid).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void newKeyAfterRotationIsServed() throws Exception {
        TestUser user = TestApi.createUser("keys-newkid");
        String newKid = given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200).extract().path("kid");

        fetch(newKid).statusCode(200).body("kid", equalTo(newKid)).body("sub", equalTo(user.id().toString()));
    }

    @Test
    void unknownKidIsNotFound() {
        fetch(UUID.randomUUID().toString()).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void overlongKidIsNotFound() {
        fetch("k".repeat(600)).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void keyOfDisabledUserIsNotFound() throws Exception {
        TestUser user = TestApi.createUser("keys-disabled");
        String kid = kidOf(TestApi.login(user));
        fetch(kid).statusCode(200);

        given().auth().oauth2(TestApi.adminToken())
                .contentType(ContentType.JSON).body(Map.of("enabled", false))
                .when().patch("/users/" + user.id())
                .then().statusCode(200);

        fetch(kid).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void currentKeyOfDisabledUserIsNotFoundEither() throws Exception {
        TestUser user = TestApi.createUser("keys-disabled-current");
        given().auth().oauth2(TestApi.adminToken())
                .contentType(ContentType.JSON).body(Map.of("enabled", false))
                .when().patch("/users/" + user.id())
                .then().statusCode(200);

        // the disabled user's only current key, whatever kid it has now
        String currentKid = given().auth().oauth2(TestApi.adminToken())
                .when().post("/users/" + user.id() + "/rotate")
                .then().statusCode(200).extract().path("kid");

        fetch(currentKid).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void keyOfDeletedUserIsNotFound() throws Exception {
        TestUser user = TestApi.createUser("keys-deleted");
        String kid = kidOf(TestApi.login(user));
        fetch(kid).statusCode(200);

        given().auth().oauth2(TestApi.adminToken())
                .when().delete("/users/" + user.id())
                .then().statusCode(204);

        fetch(kid).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void clientWithoutKeysReadPermissionIsForbidden() throws Exception {
        TestClient introspector = TestApi.createClient("introspect");
        String kid = kidOf(TestApi.login(TestApi.createUser("keys-noperm")));

        given().auth().preemptive().basic(introspector.clientId(), introspector.secret())
                .when().get("/keys/" + kid)
                .then().statusCode(403)
                .body("error", equalTo("forbidden"));
    }

    @Test
    void fetchWithoutClientAuthenticationIsUnauthorized() throws Exception {
        String kid = kidOf(TestApi.login(TestApi.createUser("keys-anon")));

        given().when().get("/keys/" + kid)
                .then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"latchkey\"")
                .body("error", equalTo("invalid_client"));
    }

    @Test
    void userBearerTokenDoesNotAuthenticateAKeyFetch() throws Exception {
        TestUser user = TestApi.createUser("keys-bearer");
        String token = TestApi.login(user);

        given().auth().oauth2(TestApi.adminToken())
                .when().get("/keys/" + kidOf(token))
                .then().statusCode(401)
                .body("error", equalTo("invalid_client"));
    }
}
