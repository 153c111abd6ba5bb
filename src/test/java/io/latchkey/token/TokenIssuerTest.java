package io.latchkey.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.key.KeyForSigning;

/** What the issuer signs, at a fixed instant of the injected clock. Plain JUnit. */
@Tag("plain")
class TokenIssuerTest {

    /** Mid-second: the issuer counts whole seconds. */
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.750Z");

    private final VerifierFixture fixture = new VerifierFixture(NOW);
    private final TokenIssuer issuer = new TokenIssuer(fixture.config, new TestClock(NOW));

    @Test
    void tokenIsHs256SignedWithTheKeyItNames() throws Exception {
        // when
        JsonWebSignature jws = parse(issue().token());

        // then
        assertEquals("HS256", jws.getAlgorithmHeaderValue());
        assertEquals("JWT", jws.getHeader("typ"));
        assertEquals(fixture.key.kid(), jws.getKeyIdHeaderValue());
        jws.setKey(fixture.key.verificationKey());
        assertTrue(jws.verifySignature());
    }

    @Test
    void tokenCarriesEveryClaimOfTheContract() throws Exception {
        // when
        IssuedToken issued = issue();
        JwtClaims claims = JwtClaims.parse(parse(issued.token()).getUnverifiedPayload());

        // then
        long second = NOW.getEpochSecond();
        long lifetime = fixture.config.tokenLifetime().toSeconds();
        assertEquals(fixture.config.issuer(), claims.getIssuer());
        assertEquals(fixture.user.toString(), claims.getSubject());
        assertEquals(List.of(fixture.config.audience()), claims.getAudience());
        assertEquals(second, claims.getIssuedAt().getValue());
        assertEquals(second, claims.getNotBefore().getValue());
        assertEquals(second + lifetime, claims.getExpirationTime().getValue());
        assertEquals(issued.jti(), claims.getJwtId());
        assertEquals("fixed-instant", claims.getStringClaimValue(TokenIssuer.USERNAME_CLAIM));
        assertEquals(List.of("reader"), claims.getStringListClaimValue(TokenIssuer.ROLES_CLAIM));
        assertEquals(Instant.ofEpochSecond(second + lifetime), issued.expiresAt());
    }

    @Test
    void everyTokenHasItsOwnId() {
        assertNotEquals(issue().jti(), issue().jti());
    }

    @Test
    void issuedTokenDoesNotPrintTheToken() {
        // given
        IssuedToken issued = issue();

        // then
        assertFalse(issued.toString().contains(issued.token()));
        assertFalse(issued.toString().contains(issued.jti()));
        assertTrue(issued.toString().contains(issued.expiresAt().toString()));
    }

    private IssuedToken issue() {
        return issuer.issue(fixture.user, fixture.key.username(), fixture.key.roles(),
                new KeyForSigning(fixture.key, fixture.key.verificationKey()));
    }

    private static JsonWebSignature parse(String token) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(token);
        return jws;
    }
}
