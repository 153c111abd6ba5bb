package io.latchkey.token;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyService;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every rule of "a token is valid only if", broken one at a time on an otherwise valid token, seen from both
 * doors: {@code GET /users/current} (401 invalid_token) and {@code POST /introspect} (exactly {"active":false}).
 * Tokens to accept come from the service's own {@link TokenIssuer}, or from jose4j where the token is one only a
 * key holder mints (an audience array, a padded token); tokens to refuse are forged with jose4j, one rule broken.
 */
@QuarkusTest
class TokenValidityTest {

    private static final String INVALID_TOKEN_CHALLENGE = "Bearer realm=\"latchkey\", error=\"invalid_token\"";

    @Inject
    KeyService keys;
    @Inject
    LatchkeyConfig config;
    @Inject
    TokenIssuer issuer;

    @Test
    void tokenIssuedWithTheUsersCurrentKeyIsAccepted() {
        // given: a token as the service issues it
        TestUser user = TestApi.createUser("valid");
        String token = issuer.issue(user.id(), user.username(), List.of(),
                keys.loadForSigning(keyOf(user).kid()).orElseThrow()).token();

        // then
        assertAccepted(token, user);
    }

    @Test
    void tokenMintedByAKeyHolderBreakingNoRuleIsAccepted() {
        // given: what a keys:read client may mint with jose4j; also the control for the forged refusals below,
        // which break one rule each of exactly these claims
        TestUser user = TestApi.createUser("minted");
        String token = signedWithUsersKey(claimsFor(user), user);

        // then
        assertAccepted(token, user);
    }

    @Test
    void forgedSignatureIsRefused() {
        // given: the user's kid, but a secret the attacker made up
        TestUser user = TestApi.createUser("forged");
        byte[] guessed = new byte[32];
        new SecureRandom().nextBytes(guessed);
        String token = TokenForge.hs256(claimsFor(user), keyOf(user).kid(), new SecretKeySpec(guessed, "HmacSHA256"));

        // then
        assertRefused(token);
    }

    @Test
    void unsignedTokenWithAlgNoneIsRefused() {
        // given
        TestUser user = TestApi.createUser("algnone");
        String token = TokenForge.unsigned(claimsFor(user), keyOf(user).kid());

        // then
        assertRefused(token);
    }

    @Test
    void hs512SignedWithTheRightSecretIsRefused() {
        // given: only the configured algorithm is allowed, even with the genuine secret
        TestUser user = TestApi.createUser("hs512");
        ActiveKey key = keyOf(user);
        String token = TokenForge.signed(claimsFor(user), key.kid(), key.verificationKey(), AlgorithmIdentifiers.HMAC_SHA512);

        // then
        assertRefused(token);
    }

    @Test
    void expiredTokenIsRefused() {
        // given: expired ten minutes ago, well past the leeway
        TestUser user = TestApi.createUser("expired");
        JwtClaims claims = claimsFor(user);
        long now = NumericDate.now().getValue();
        claims.setIssuedAt(NumericDate.fromSeconds(now - 1200));
        claims.setNotBefore(NumericDate.fromSeconds(now - 1200));
        claims.setExpirationTime(NumericDate.fromSeconds(now - 600));

        // then
        assertRefused(signedWithUsersKey(claims, user));
    }

    @Test
    void notYetValidTokenIsRefused() {
        // given: valid only from ten minutes on, well past the leeway
        TestUser user = TestApi.createUser("notyet");
        JwtClaims claims = claimsFor(user);
        long now = NumericDate.now().getValue();
        claims.setNotBefore(NumericDate.fromSeconds(now + 600));
        claims.setExpirationTime(NumericDate.fromSeconds(now + 1200));

        // then
        assertRefused(signedWithUsersKey(claims, user));
    }

    @Test
    void wrongIssuerIsRefused() {
        // given
        TestUser user = TestApi.createUser("issuer");
        JwtClaims claims = claimsFor(user);
        claims.setIssuer("https://issuer.example.org");

        // then
        assertRefused(signedWithUsersKey(claims, user));
    }

    @Test
    void wrongAudienceIsRefused() {
        // given
        TestUser user = TestApi.createUser("audience");
        JwtClaims claims = claimsFor(user);
        claims.setAudience("some-other-service");

        // then
        assertRefused(signedWithUsersKey(claims, user));
    }

    @Test
    void audienceArrayContainingTheConfiguredAudienceIsAccepted() {
        // given
        TestUser user = TestApi.createUser("audarray");
        JwtClaims claims = claimsFor(user);
        claims.setAudience(List.of("some-other-service", config.audience()));

        // then
        assertAccepted(signedWithUsersKey(claims, user), user);
    }

    @Test
    void tokenSignedWithAnotherUsersKeyAndKidIsRefused() {
        // given: B mints a token claiming to be A, with B's own genuine key
        TestUser victim = TestApi.createUser("victim");
        TestUser attacker = TestApi.createUser("attacker");
        ActiveKey attackersKey = keyOf(attacker);
        String token = TokenForge.hs256(claimsFor(victim), attackersKey.kid(), attackersKey.verificationKey());

        // then
        assertRefused(token);
    }

    @Test
    void unknownKidIsRefused() {
        // given: the user's genuine secret under a kid that names no key
        TestUser user = TestApi.createUser("unknownkid");
        String token = TokenForge.hs256(claimsFor(user), UUID.randomUUID().toString(), keyOf(user).verificationKey());

        // then
        assertRefused(token);
    }

    @Test
    void revokedTokenIsRefused() {
        // given: a token revoked by logging out with it
        TestUser user = TestApi.createUser("revoked");
        String token = TestApi.login(user);
        given().auth().oauth2(token).when().post("/logout").then().statusCode(204);

        // then
        assertRefused(token);
    }

    @Test
    void tokenOfADisabledUserIsRefused() {
        // given
        TestUser user = TestApi.createUser("disabled");
        String token = TestApi.login(user);
        given().auth().oauth2(TestApi.adminToken()).contentType("application/json").body(Map.of("enabled", false))
                .when().patch("/users/" + user.id())
                .then().statusCode(200);

        // then
        assertRefused(token);
    }

    @Test
    void tokenOver8KiBIsRefused() {
        // given: a genuinely signed token, just too large
        TestUser user = TestApi.createUser("huge");
        String token = signedWithUsersKey(padded(claimsFor(user), 9000), user);
        assertTrue(token.length() > 8192 && token.length() < 9500, "length " + token.length());

        // then
        assertRefused(token);
    }

    @Test
    void tokenJustUnder8KiBIsAccepted() {
        // given: the size limit's other side
        TestUser user = TestApi.createUser("large");
        String token = signedWithUsersKey(padded(claimsFor(user), 8100), user);
        assertTrue(token.length() > 8000 && token.length() <= 8192, "length " + token.length());

        // then
        assertAccepted(token, user);
    }

    @Test
    void tokenWithoutExpIsRefused() {
        // given
        TestUser user = TestApi.createUser("noexp");
        JwtClaims claims = claimsFor(user);
        claims.unsetClaim("exp");

        // then
        assertRefused(signedWithUsersKey(claims, user));
    }

    @Test
    void tokenWhoseExpIsNotANumberIsRefused() {
        // given
        TestUser user = TestApi.createUser("expstring");
        JwtClaims claims = claimsFor(user);
        claims.setClaim("exp", "tomorrow");

        // then
        assertRefused(signedWithUsersKey(claims, user));
    }

    @Test
    void tokenWithAnUnknownCriticalHeaderIsRefused() {
        // given
        TestUser user = TestApi.createUser("crit");
        ActiveKey key = keyOf(user);
        String token = TokenForge.hs256WithUnknownCriticalHeader(claimsFor(user), key.kid(), key.verificationKey());

        // then
        assertRefused(token);
    }

    private void assertRefused(String token) {
        given().auth().oauth2(token)
                .when().get("/users/current")
                .then().statusCode(401)
                .header("WWW-Authenticate", equalTo(INVALID_TOKEN_CHALLENGE))
                .body("error", equalTo("invalid_token"));
        assertEquals(Map.of("active", false), TestApi.introspect(token));
    }

    private void assertAccepted(String token, TestUser user) {
        given().auth().oauth2(token)
                .when().get("/users/current")
                .then().statusCode(200)
                .body("id", equalTo(user.id().toString()));
        Map<String, Object> answer = TestApi.introspect(token);
        assertEquals(true, answer.get("active"));
        assertEquals(user.id().toString(), answer.get("sub"));
    }

    private JwtClaims claimsFor(TestUser user) {
        return new TokenForge(config).validClaims(user.id(), user.username());
    }

    private String signedWithUsersKey(JwtClaims claims, TestUser user) {
        ActiveKey key = keyOf(user);
        return TokenForge.hs256(claims, key.kid(), key.verificationKey());
    }

    private ActiveKey keyOf(TestUser user) {
        return keys.findCurrentKeyOf(user.id()).orElseThrow();
    }

    /** Adds a filler claim so the signed token is about {@code targetLength} characters long. */
    private JwtClaims padded(JwtClaims claims, int targetLength) {
        int base = TokenForge.hs256(claims, UUID.randomUUID().toString(), new SecretKeySpec(new byte[32], "HmacSHA256"))
                .length();
        int fillerChars = (targetLength - base) * 3 / 4 - 12;
        claims.setClaim("filler", "x".repeat(Math.max(0, fillerChars)));
        return claims;
    }
}
