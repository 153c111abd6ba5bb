package io.latchkey.key;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwx.JsonWebStructure;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.token.TokenForge;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * An instance configured for EdDSA with public keys served to anyone, sharing its database with HS256 keys (made as an HS256-configured instance
 * makes them): both kinds verify side by side, each only with its own algorithm.
 */
@QuarkusTest
@TestProfile(Ed25519KeysTest.EdDsaSigning.class)
class Ed25519KeysTest {

    public static class EdDsaSigning implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("latchkey.signing-algorithm", "EdDSA", "latchkey.keys.public", "true");
        }
    }

    /** Own clients: this profile runs on a database of its own, where TestApi's shared clients do not exist. */
    private static TestClient introspector;
    private static TestClient keyReader;

    @Inject
    KeyService keys;
    @Inject
    LatchkeyConfig config;

    @Test
    void loginSignsWithEdDsaUnderTheUsersKid() throws Exception {
        TestUser user = TestApi.createUser("ed-login");

        JsonWebStructure jws = JsonWebStructure.fromCompactSerialization(TestApi.login(user));

        assertEquals("EdDSA", jws.getAlgorithmHeaderValue());
        assertEquals("JWT", jws.getHeader("typ"));
        assertEquals(keyOf(user).kid(), jws.getKeyIdHeaderValue());
    }

    @Test
    void edDsaTokenIsActiveAtIntrospectionAndPassesTheGatewayCheck() {
        TestUser user = TestApi.createUser("ed-active", "reader");
        String token = TestApi.login(user);

        assertTrue(isActive(token));
        given().auth().oauth2(token).when().get("/auth")
                .then().statusCode(204).header("X-Auth-User-Id", user.id().toString());
    }

    @Test
    void ed25519KeyIsFetchedAsAPublicOkpJwkWithoutThePrivatePart() throws Exception {
        TestUser user = TestApi.createUser("ed-jwk");
        String token = TestApi.login(user);
        String kid = JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue();

        String json = fetchKey(kid).statusCode(200).extract().asString();
        Map<String, Object> jwk = io.restassured.path.json.JsonPath.from(json).getMap("$");

        assertEquals(Set.of("kty", "crv", "x", "kid", "alg", "use", "sub"), jwk.keySet());
        assertEquals("OKP", jwk.get("kty"));
        assertEquals("Ed25519", jwk.get("crv"));
        assertEquals("EdDSA", jwk.get("alg"));
        assertEquals("sig", jwk.get("use"));
        assertEquals(kid, jwk.get("kid"));
        assertEquals(user.id().toString(), jwk.get("sub"));
        assertEquals(32, Base64.getUrlDecoder().decode((String) jwk.get("x")).length);
        // and the fetched public key verifies the token, with EdDSA only
        JsonWebKey parsed = JsonWebKey.Factory.newJwk(json);
        assertTrue(parsed instanceof OctetKeyPairJsonWebKey);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                AlgorithmIdentifiers.EDDSA));
        jws.setCompactSerialization(token);
        jws.setKey(parsed.getKey());
        assertTrue(jws.verifySignature());
        assertEquals(user.id().toString(), JwtClaims.parse(jws.getPayload()).getSubject());
    }

    @Test
    void ed25519KeyIsServedWithoutClientAuthenticationWhenKeysArePublic() throws Exception {
        TestUser user = TestApi.createUser("ed-public");
        String kid = keyOf(user).kid();

        given().when().get("/keys/" + kid)
                .then().statusCode(200)
                .header("Cache-Control", org.hamcrest.Matchers.matchesPattern("private, max-age=\\d+"))
                .body("kty", equalTo("OKP")).body("kid", equalTo(kid)).body("sub", equalTo(user.id().toString()))
                .body("d", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void hmacKeyStillNeedsAKeysReadClientWhenKeysArePublic() {
        TestUser user = TestApi.createUser("ed-public-hmac");
        QuarkusTransaction.requiringNew().run(() -> keys.rotate(user.id(), KeyAlgorithm.HS256));

        given().when().get("/keys/" + keyOf(user).kid())
                .then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"latchkey\"")
                .body("error", equalTo("invalid_client"));
    }

    @Test
    void unknownKidWithoutClientAuthenticationIsNotFoundWhenKeysArePublic() {
        given().when().get("/keys/" + java.util.UUID.randomUUID())
                .then().statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void wrongClientCredentialsAreRefusedEvenWhenKeysArePublic() {
        TestUser user = TestApi.createUser("ed-public-badclient");

        given().auth().preemptive().basic("no-such-client", "wrong")
                .when().get("/keys/" + keyOf(user).kid())
                .then().statusCode(401).body("error", equalTo("invalid_client"));
    }

    @Test
    void ed25519KeyOfAnAdminIsServed() {
        // public: it cannot mint tokens, so the admin rule for HMAC keys does not apply
        TestUser admin = TestApi.createUser("ed-admin", "admin");

        fetchKey(keyOf(admin).kid()).statusCode(200).body("kty", equalTo("OKP"));
    }

    @Test
    void hmacKeyOfAnAdminIsNotFoundEvenForAKeysReadClient() {
        TestUser admin = TestApi.createUser("ed-admin-hmac", "admin");
        QuarkusTransaction.requiringNew().run(() -> keys.rotate(admin.id(), KeyAlgorithm.HS256));

        fetchKey(keyOf(admin).kid()).statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void hmacKeyMadeBeforeTheSwitchKeepsVerifyingBesideEd25519Keys() throws Exception {
        // given: a user whose current key an HS256-configured instance made, and a user with an Ed25519 key
        TestUser old = TestApi.createUser("ed-old-hmac");
        QuarkusTransaction.requiringNew().run(() -> keys.rotate(old.id(), KeyAlgorithm.HS256));
        TestUser fresh = TestApi.createUser("ed-fresh");

        // when
        String hmacToken = TestApi.login(old);
        String edToken = TestApi.login(fresh);

        // then: each signed with its own key's algorithm, both valid in one database
        assertEquals("HS256", JsonWebStructure.fromCompactSerialization(hmacToken).getAlgorithmHeaderValue());
        assertEquals("EdDSA", JsonWebStructure.fromCompactSerialization(edToken).getAlgorithmHeaderValue());
        assertTrue(isActive(hmacToken));
        assertTrue(isActive(edToken));
        fetchKey(keyOf(old).kid()).statusCode(200).body("kty", equalTo("oct")).body("alg", equalTo("HS256"));
    }

    @Test
    void rotationOfAnHmacUserGivesThemAnEd25519Key() throws Exception {
        TestUser user = TestApi.createUser("ed-rotate-over");
        QuarkusTransaction.requiringNew().run(() -> keys.rotate(user.id(), KeyAlgorithm.HS256));
        String hmacToken = TestApi.login(user);

        given().auth().oauth2(hmacToken).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);

        assertFalse(isActive(hmacToken));
        assertEquals(KeyAlgorithm.EdDSA, keyOf(user).algorithm());
        assertTrue(isActive(TestApi.login(user)));
    }

    @Test
    void hs256TokenWithTheEd25519PublicKeyAsHmacSecretIsRefused() throws Exception {
        // given: the classic confusion: the public key (which anyone may fetch) used as an HMAC secret
        TestUser user = TestApi.createUser("ed-confusion");
        ActiveKey key = keyOf(user);
        byte[] encoded = key.verificationKey().getEncoded();
        byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        JwtClaims claims = new TokenForge(config).validClaims(user.id(), user.username());

        for (byte[] secret : List.of(encoded, raw)) {
            String token = TokenForge.hs256(claims, key.kid(), new SecretKeySpec(secret, "HmacSHA256"));

            assertFalse(isActive(token));
            given().auth().oauth2(token).when().get("/users/current").then().statusCode(401);
        }
    }

    @Test
    void edDsaTokenUnderAnHmacKeysKidIsRefused() throws Exception {
        // given: an HMAC key, and a token claiming EdDSA under its kid, signed with a key pair the attacker made
        TestUser user = TestApi.createUser("ed-under-hmac");
        QuarkusTransaction.requiringNew().run(() -> keys.rotate(user.id(), KeyAlgorithm.HS256));
        String kid = keyOf(user).kid();
        var attackers = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        JwtClaims claims = new TokenForge(config).validClaims(user.id(), user.username());

        String token = TokenForge.signed(claims, kid, attackers.getPrivate(), AlgorithmIdentifiers.EDDSA);

        assertFalse(isActive(token));
    }

    @Test
    void edDsaTokenSignedWithAnotherKeyPairIsRefused() throws Exception {
        TestUser user = TestApi.createUser("ed-forged");
        var attackers = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        JwtClaims claims = new TokenForge(config).validClaims(user.id(), user.username());

        String token = TokenForge.signed(claims, keyOf(user).kid(), attackers.getPrivate(), AlgorithmIdentifiers.EDDSA);

        assertFalse(isActive(token));
    }

    @Test
    void unsignedTokenUnderAnEd25519KidIsRefused() {
        TestUser user = TestApi.createUser("ed-none");
        JwtClaims claims = new TokenForge(config).validClaims(user.id(), user.username());

        assertFalse(isActive(TokenForge.unsigned(claims, keyOf(user).kid())));
    }

    @Test
    void metadataListsTheSigningAlgorithmsInUse() {
        TestUser old = TestApi.createUser("ed-meta");
        QuarkusTransaction.requiringNew().run(() -> keys.rotate(old.id(), KeyAlgorithm.HS256));
        TestApi.login(old);

        List<String> algorithms = given().when().get("/.well-known/oauth-authorization-server")
                .then().statusCode(200)
                .extract().jsonPath().getList("token_signing_alg_values_supported", String.class);

        assertEquals(List.of("HS256", "EdDSA"), algorithms);
    }

    private ActiveKey keyOf(TestUser user) {
        return keys.findCurrentKeyOf(user.id()).orElseThrow();
    }

    private static boolean isActive(String token) {
        TestClient client = introspector();
        return given().auth().preemptive().basic(client.clientId(), client.secret())
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then().statusCode(200)
                .extract().<Boolean>path("active");
    }

    private static io.restassured.response.ValidatableResponse fetchKey(String kid) {
        TestClient client = keyReader();
        return given().auth().preemptive().basic(client.clientId(), client.secret())
                .when().get("/keys/" + kid).then();
    }

    private static synchronized TestClient introspector() {
        if (introspector == null) {
            introspector = TestApi.createClient("introspect");
        }
        return introspector;
    }

    private static synchronized TestClient keyReader() {
        if (keyReader == null) {
            keyReader = TestApi.createClient("keys:read");
        }
        return keyReader;
    }
}
