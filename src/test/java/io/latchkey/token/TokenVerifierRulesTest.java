package io.latchkey.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.latchkey.config.KeyAlgorithm;
import io.latchkey.key.ActiveKey;

/**
 * The verifier's rules other than time, in plain JUnit: required claims, issuer and audience, the maximum
 * lifetime, the key and whose it is, the size limit, and what a remembered verdict still re-checks. Tokens to
 * accept come from {@link TokenIssuer}; tokens to refuse are forged with jose4j, one rule broken each.
 */
@Tag("plain")
class TokenVerifierRulesTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final VerifierFixture fixture = new VerifierFixture(NOW);
    private final TokenVerifier verifier = fixture.freshVerifier();

    @ParameterizedTest
    @ValueSource(strings = {"exp", "iat", "nbf", "jti", "sub"})
    void tokenWithoutARequiredClaimIsRefused(String claim) {
        // given
        JwtClaims claims = fixture.claims();
        claims.unsetClaim(claim);

        // then
        assertRefused(fixture.forge(claims));
    }

    @Test
    void tokenOfAnotherIssuerIsRefused() {
        JwtClaims claims = fixture.claims();
        claims.setIssuer("https://elsewhere.example");

        assertRefused(fixture.forge(claims));
    }

    @Test
    void tokenForAnotherAudienceIsRefused() {
        JwtClaims claims = fixture.claims();
        claims.setAudience("another-service");

        assertRefused(fixture.forge(claims));
    }

    @Test
    void expiryUpToTheLifetimeRoundedToMinutesPlusOneMinuteAndTheLeewayIsAccepted() throws Exception {
        // given: the default lifetime is 60 minutes, so at most 61 minutes (plus the leeway) ahead
        JwtClaims claims = fixture.claims();
        claims.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() + 61 * 60 + skew()));

        // then
        assertEquals(fixture.user, verifier.verify(fixture.forge(claims)).userId());
    }

    @Test
    void expiryOneSecondBeyondTheMaximumLifetimeIsRefused() {
        JwtClaims claims = fixture.claims();
        claims.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() + 61 * 60 + skew() + 1));

        assertRefused(fixture.forge(claims));
    }

    @Test
    void tokenSignedWithAnotherUsersKeyAndKidIsRefused() {
        // given: a genuine key of another user, naming this user as the subject
        ActiveKey other = keyOf(UUID.randomUUID(), UUID.randomUUID().toString());
        fixture.keys.put(other);

        // then
        assertRefused(TokenForge.hs256(fixture.claims(), other.kid(), other.verificationKey()));
    }

    @Test
    void wrongHs256SignatureIsRefusedBeforeTheFullCheck() {
        // given: the user's token with its signature replaced by one made with another secret
        String genuine = fixture.issue();
        String other = TokenForge.hs256(fixture.claims(), fixture.key.kid(),
                new javax.crypto.spec.SecretKeySpec(VerifierFixture.randomBytes(32), "HmacSHA256"));
        String forged = genuine.substring(0, genuine.lastIndexOf('.')) + other.substring(other.lastIndexOf('.'));

        // when
        InvalidTokenException refused = assertThrows(InvalidTokenException.class, () -> verifier.verify(forged));

        // then: the early check refused it (the full check would give jose4j's error codes instead)
        assertTrue(refused.getMessage().contains("early check"), refused.getMessage());
    }

    @Test
    void tokenWhoseStructureTheEarlyCheckCannotReadIsLeftToTheFullCheck() {
        // given: four parts, and a header that is not JSON
        String genuine = fixture.issue();
        String fourParts = genuine + ".x";
        String notJson = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("not json".getBytes())
                + genuine.substring(genuine.indexOf('.'));

        // then: refused all the same, by the full check
        for (String token : new String[] {fourParts, notJson}) {
            InvalidTokenException refused = assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
            assertFalse(refused.getMessage().contains("early check"), refused.getMessage());
        }
    }

    @Test
    void tokenWithoutKidIsRefused() {
        assertRefused(TokenForge.hs256(fixture.claims(), null, fixture.key.verificationKey()));
    }

    @Test
    void tokenWithAnUnknownKidIsRefused() {
        assertRefused(TokenForge.hs256(fixture.claims(), UUID.randomUUID().toString(), fixture.key.verificationKey()));
    }

    @Test
    void kidOf128CharactersIsLookedUp() throws Exception {
        // given
        ActiveKey key = keyOf(fixture.user, "k".repeat(128));
        fixture.keys.put(key);

        // then
        assertEquals(fixture.user, verifier.verify(TokenForge.hs256(fixture.claims(), key.kid(), key.verificationKey())).userId());
    }

    @Test
    void kidOver128CharactersIsRefused() {
        // given: a key under such a kid, valid in every other respect
        ActiveKey key = keyOf(fixture.user, "k".repeat(129));
        fixture.keys.put(key);

        // then
        assertRefused(TokenForge.hs256(fixture.claims(), key.kid(), key.verificationKey()));
    }

    @Test
    void otherAlgorithmIsRefusedWithoutALookUp() {
        // given: HS512 with the user's genuine key
        String token = TokenForge.signed(fixture.claims(), fixture.key.kid(), fixture.key.verificationKey(),
                AlgorithmIdentifiers.HMAC_SHA512);

        // then
        assertRefused(token);
        assertEquals(0, fixture.keys.lookups.get());
    }

    @Test
    void unsignedTokenIsRefused() {
        assertRefused(TokenForge.unsigned(fixture.claims(), fixture.key.kid()));
    }

    @Test
    void nameAndRolesComeFromTheKeyNotFromTheClaims() throws Exception {
        // given: a key holder mints a token claiming another name and the admin role
        JwtClaims claims = fixture.claims();
        claims.setClaim(TokenIssuer.USERNAME_CLAIM, "mallory");
        claims.setStringListClaim(TokenIssuer.ROLES_CLAIM, List.of("admin"));

        // when
        VerifiedToken verified = verifier.verify(fixture.forge(claims));

        // then
        assertEquals("fixed-instant", verified.username());
        assertEquals(List.of("reader"), verified.roles());
        assertTrue(verified.hasRole("reader"));
        assertFalse(verified.hasRole("admin"));
    }

    @Test
    void verifiedTokenCarriesItsClaimsAndKey() throws Exception {
        // given
        String token = fixture.issue();

        // when
        VerifiedToken verified = verifier.verify(token);

        // then
        long lifetime = fixture.config.tokenLifetime().toSeconds();
        assertEquals(fixture.jtiOf(token), verified.jti());
        assertEquals(fixture.user, verified.userId());
        assertEquals(fixture.config.issuer(), verified.issuer());
        assertEquals(List.of(fixture.config.audience()), verified.audience());
        assertEquals(NOW.getEpochSecond(), verified.issuedAt());
        assertEquals(NOW.getEpochSecond(), verified.notBefore());
        assertEquals(NOW.getEpochSecond() + lifetime, verified.expiresAt());
        assertEquals(fixture.key.kid(), verified.kid());
    }

    @Test
    void tokenVerifiedBeforeIsAnsweredFromMemory() throws Exception {
        // given
        String token = fixture.issue();
        VerifiedToken first = verifier.verify(token);

        // when
        VerifiedToken second = verifier.verify(token);

        // then: the remembered verdict, not a new check
        assertSame(first, second);
    }

    @Test
    void tokenVerifiedBeforeIsAnsweredFromMemoryUntilTheLastSecondOfTheLeewayAfterExpiry() throws Exception {
        // given
        String token = fixture.issue();
        VerifiedToken first = verifier.verify(token);

        // when
        fixture.clock.setEpochSecond(NOW.getEpochSecond() + fixture.config.tokenLifetime().toSeconds() + skew() - 1);

        // then
        assertSame(first, verifier.verify(token));
    }

    @Test
    void tokenVerifiedBeforeIsAnsweredFromMemoryWhenTheClockIsBehindByTheLeeway() throws Exception {
        // given
        String token = fixture.issue();
        VerifiedToken first = verifier.verify(token);

        // when: the clock goes back to the earliest instant the leeway allows
        fixture.clock.setEpochSecond(NOW.getEpochSecond() - skew());

        // then
        assertSame(first, verifier.verify(token));
    }

    @Test
    void tokenVerifiedBeforeIsRefusedOnceItsKeyIsReplaced() throws Exception {
        // given: verified, then the user's key replaced by another under the same kid (as an invalidation does)
        String token = fixture.issue();
        verifier.verify(token);

        // when
        fixture.keys.put(keyOf(fixture.user, fixture.key.kid()));

        // then: the signature no longer matches the current key
        assertRefused(token);
    }

    @Test
    void tokenVerifiedBeforeIsAcceptedAgainAfterTheSameKeyIsReloaded() throws Exception {
        // given: verified, then the same key loaded again (a new object, as after a cache refresh)
        String token = fixture.issue();
        VerifiedToken first = verifier.verify(token);
        fixture.keys.put(new ActiveKey(fixture.key.kid(), fixture.user, fixture.key.username(), fixture.key.roles(),
                KeyAlgorithm.HS256, fixture.key.verificationKey()));

        // when
        VerifiedToken second = verifier.verify(token);

        // then: checked in full again, and valid
        assertEquals(first, second);
        assertFalse(first == second, "checked in full, not answered from memory");
    }

    @Test
    void tokenVerifiedBeforeIsRefusedOnceItsKeyIsRetired() throws Exception {
        // given
        String token = fixture.issue();
        verifier.verify(token);

        // when
        fixture.keys.remove(fixture.key.kid());

        // then
        assertRefused(token);
    }

    @Test
    void emptyOrMissingTokenIsRefused() {
        assertRefused("");
        assertRefused(null);
    }

    @Test
    void garbageIsRefused() {
        assertRefused("not.a.token");
        assertRefused("no dots at all");
    }

    @Test
    void tokenOfExactly8KiBIsAcceptedAndOneByteMoreIsRefused() throws Exception {
        // given: tokens of exactly 8192 and 8193 characters, valid in every other respect
        String exact = tokenOfLength(TokenVerifier.MAX_TOKEN_BYTES);
        String over = tokenOfLength(TokenVerifier.MAX_TOKEN_BYTES + 1);

        // then
        assertEquals(fixture.user, verifier.verify(exact).userId());
        assertRefused(over);
    }

    private void assertRefused(String token) {
        assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
    }

    private long skew() {
        return fixture.config.clockSkew().toSeconds();
    }

    private static ActiveKey keyOf(UUID user, String kid) {
        return new ActiveKey(kid, user, "someone", List.of(), KeyAlgorithm.HS256,
                new SecretKeySpec(VerifierFixture.randomBytes(32), "HmacSHA256"));
    }

    /**
     * A valid token of exactly {@code length} characters: base64url never ends a part on a length of 1 mod 4, so
     * both the filler claim and the kid's length vary until the total fits.
     */
    private String tokenOfLength(int length) {
        for (int kidLength = 36; kidLength < 40; kidLength++) {
            ActiveKey key = new ActiveKey("k".repeat(kidLength), fixture.user, fixture.key.username(),
                    fixture.key.roles(), KeyAlgorithm.HS256, fixture.key.verificationKey());
            fixture.keys.put(key);
            int base = withFiller(key, 0).length();
            int estimate = (length - base) * 3 / 4;
            for (int filler = estimate - 8; filler < estimate + 8; filler++) {
                String token = withFiller(key, filler);
                if (token.length() == length) {
                    return token;
                }
            }
        }
        throw new IllegalStateException("no token of length " + length);
    }

    private String withFiller(ActiveKey key, int chars) {
        JwtClaims claims = fixture.claims();
        claims.setClaim("filler", "x".repeat(chars));
        return TokenForge.hs256(claims, key.kid(), key.verificationKey());
    }
}
