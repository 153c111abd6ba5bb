package io.latchkey.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;

import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyService;
import io.quarkus.test.junit.QuarkusTest;

/** What {@code POST /login} issues: an HS256 JWS under the user's current key, with every claim of the contract. */
@QuarkusTest
class IssuedTokenTest {

    @Inject
    KeyService keys;
    @Inject
    LatchkeyConfig config;

    @Test
    void issuedTokenIsHs256UnderTheUsersCurrentKid() throws Exception {
        // given
        TestUser user = TestApi.createUser("header");

        // when
        JsonWebSignature jws = parse(TestApi.login(user));

        // then
        ActiveKey key = keys.findCurrentKeyOf(user.id()).orElseThrow();
        assertEquals("HS256", jws.getAlgorithmHeaderValue());
        assertEquals("JWT", jws.getHeader("typ"));
        assertEquals(key.kid(), jws.getKeyIdHeaderValue());
        jws.setKey(key.verificationKey());
        assertTrue(jws.verifySignature());
    }

    @Test
    void issuedTokenCarriesEveryClaimOfTheContract() throws Exception {
        // given
        TestUser user = TestApi.createUser("claims", "reader");
        long before = System.currentTimeMillis() / 1000;

        // when
        JwtClaims claims = JwtClaims.parse(parse(TestApi.login(user)).getUnverifiedPayload());

        // then
        long after = System.currentTimeMillis() / 1000;
        assertEquals(config.issuer(), claims.getIssuer());
        assertEquals(user.id().toString(), claims.getSubject());
        assertEquals(List.of(config.audience()), claims.getAudience());
        assertEquals(user.username(), claims.getStringClaimValue("preferred_username"));
        assertEquals(List.of("reader"), claims.getStringListClaimValue("roles"));
        long iat = claims.getIssuedAt().getValue();
        assertTrue(iat >= before && iat <= after, "iat " + iat);
        assertEquals(iat, claims.getNotBefore().getValue());
        assertEquals(iat + config.tokenLifetime().toSeconds(), claims.getExpirationTime().getValue());
        assertTrue(claims.getJwtId() != null && !claims.getJwtId().isBlank());
    }

    @Test
    void everyTokenGetsItsOwnJti() throws Exception {
        // given
        TestUser user = TestApi.createUser("jti");

        // when
        String first = JwtClaims.parse(parse(TestApi.login(user)).getUnverifiedPayload()).getJwtId();
        String second = JwtClaims.parse(parse(TestApi.login(user)).getUnverifiedPayload()).getJwtId();

        // then
        assertNotEquals(first, second);
    }

    @Test
    void eachUserSignsWithTheirOwnSecret() {
        // given
        TestUser one = TestApi.createUser("secret-one");
        TestUser two = TestApi.createUser("secret-two");

        // then
        ActiveKey first = keys.findCurrentKeyOf(one.id()).orElseThrow();
        ActiveKey second = keys.findCurrentKeyOf(two.id()).orElseThrow();
        assertNotEquals(first.kid(), second.kid());
        assertEquals(32, first.verificationKey().getEncoded().length);
        assertTrue(!Arrays.equals(first.verificationKey().getEncoded(), second.verificationKey().getEncoded()));
    }

    private static JsonWebSignature parse(String token) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(token);
        return jws;
    }
}
