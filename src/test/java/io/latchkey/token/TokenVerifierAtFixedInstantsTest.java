package io.latchkey.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The verifier's time rules at fixed instants, in plain JUnit: tokens valid in every other respect (issued by
 * {@link TokenIssuer} for acceptance, forged with jose4j only to break a rule), checked at chosen instants of the
 * injected clock, once through the full check and once through the recently-verified path.
 */
@Tag("plain")
class TokenVerifierAtFixedInstantsTest {

    private static final Instant ISSUED = Instant.parse("2026-03-01T12:00:00Z");

    private final VerifierFixture fixture = new VerifierFixture(ISSUED);
    private final long lifetime = fixture.config.tokenLifetime().toSeconds();
    private final long skew = fixture.config.clockSkew().toSeconds();
    private final long expiresAt = ISSUED.getEpochSecond() + lifetime;

    @Test
    void tokenIsAcceptedUntilTheLastSecondOfTheLeewayAfterExpiry() throws Exception {
        // given
        String token = fixture.issue();

        // when
        fixture.clock.setEpochSecond(expiresAt + skew - 1);

        // then
        assertEquals(fixture.user, fixture.freshVerifier().verify(token).userId());
    }

    @Test
    void tokenExpiredByOneSecondPastTheLeewayIsRefused() {
        // given
        String token = fixture.issue();

        // when
        fixture.clock.setEpochSecond(expiresAt + skew + 1);

        // then
        assertThrows(InvalidTokenException.class, () -> fixture.freshVerifier().verify(token));
    }

    @Test
    void tokenIsRefusedFromTheMomentTheLeewayAfterExpiryEnds() {
        // given
        String token = fixture.issue();

        // when
        fixture.clock.setEpochSecond(expiresAt + skew);

        // then
        assertThrows(InvalidTokenException.class, () -> fixture.freshVerifier().verify(token));
    }

    @Test
    void recentlyVerifiedTokenIsRefusedOnceExpiredPastTheLeeway() throws Exception {
        // given: verified (and so remembered) while valid
        String token = fixture.issue();
        TokenVerifier verifier = fixture.freshVerifier();
        verifier.verify(token);

        // when
        fixture.clock.setEpochSecond(expiresAt + skew - 1);
        verifier.verify(token);
        fixture.clock.setEpochSecond(expiresAt + skew);

        // then
        assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
    }

    @Test
    void tokenWhoseNotBeforeIsBeyondTheLeewayIsRefused() {
        // given: issued at ISSUED, checked by a verifier whose clock is behind by more than the leeway
        String token = fixture.issue();

        // when
        fixture.clock.setEpochSecond(ISSUED.getEpochSecond() - skew - 1);

        // then
        assertThrows(InvalidTokenException.class, () -> fixture.freshVerifier().verify(token));
    }

    @Test
    void tokenWhoseNotBeforeIsWithinTheLeewayIsAccepted() throws Exception {
        // given
        String token = fixture.issue();

        // when
        fixture.clock.setEpochSecond(ISSUED.getEpochSecond() - skew);

        // then
        assertEquals(fixture.user, fixture.freshVerifier().verify(token).userId());
    }

    @Test
    void recentlyVerifiedTokenIsRefusedWhenTheClockGoesBackBeforeItsNotBefore() throws Exception {
        // given
        String token = fixture.issue();
        TokenVerifier verifier = fixture.freshVerifier();
        verifier.verify(token);

        // when
        fixture.clock.setEpochSecond(ISSUED.getEpochSecond() - skew - 1);

        // then
        assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
    }

    @Test
    void tokenLivingLongerThanTheConfiguredLifetimeIsRefused() {
        // given: signed with the user's key, but valid for the lifetime plus two minutes
        JwtClaims claims = fixture.claims();
        claims.setExpirationTime(NumericDate.fromSeconds(ISSUED.getEpochSecond() + lifetime + 120));
        String token = fixture.forge(claims);

        // then
        assertThrows(InvalidTokenException.class, () -> fixture.freshVerifier().verify(token));
    }

    @Test
    void tokenLivingExactlyTheConfiguredLifetimeIsAccepted() throws Exception {
        // given: the control for the refusal above, forged the same way
        String token = fixture.forge(fixture.claims());

        // then
        assertEquals(fixture.user, fixture.freshVerifier().verify(token).userId());
    }

    @Test
    void revokedTokenIsRefusedUntilTheLastSecondItCouldPass() {
        // given
        String token = fixture.issue();
        TokenVerifier verifier = fixture.freshVerifier();
        fixture.revocations.revoke(fixture.jtiOf(token), null, expiresAt);

        // then: on the full check and on every later instant up to expiry plus leeway
        for (long at : List.of(ISSUED.getEpochSecond(), expiresAt, expiresAt + skew - 1)) {
            fixture.clock.setEpochSecond(at);
            assertThrows(InvalidTokenException.class, () -> verifier.verify(token), "at " + at);
        }
    }

    @Test
    void recentlyVerifiedTokenIsRefusedOnceRevoked() throws Exception {
        // given
        String token = fixture.issue();
        TokenVerifier verifier = fixture.freshVerifier();
        verifier.verify(token);

        // when
        fixture.revocations.revoke(fixture.jtiOf(token), null, expiresAt);

        // then
        assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
    }

    @Test
    void revokedTokenNeedsNoRevocationOnceExpiredPastTheLeeway() throws Exception {
        // given: a revoked token, remembered while valid; then the revocation is forgotten at its expiry
        String token = fixture.issue();
        TokenVerifier verifier = fixture.freshVerifier();
        verifier.verify(token);
        fixture.revocations.revoke(fixture.jtiOf(token), null, expiresAt);

        // when
        fixture.clock.setEpochSecond(expiresAt + skew);
        fixture.revocations.forgetAll();

        // then: the time rules alone refuse it, on both paths, so dropping the revocation then is safe
        assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
        assertThrows(InvalidTokenException.class, () -> fixture.freshVerifier().verify(token));
    }

    @Test
    void tokenIssuedAtAFixedInstantCarriesThatInstant() throws Exception {
        // given
        fixture.clock.setEpochSecond(ISSUED.getEpochSecond());

        // when
        VerifiedToken verified = fixture.freshVerifier().verify(fixture.issue());

        // then
        assertEquals(ISSUED.getEpochSecond(), verified.issuedAt());
        assertEquals(ISSUED.getEpochSecond(), verified.notBefore());
        assertEquals(expiresAt, verified.expiresAt());
    }
}
