package io.latchkey.token;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.inject.Vetoed;

import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

import io.latchkey.TestClock;
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.config.TestConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyForSigning;
import io.latchkey.key.KeyCache;

/**
 * A {@link TokenVerifier} and {@link TokenIssuer} wired by hand, without Quarkus: the default configuration, a
 * clock the test sets, one user with one key held in memory, and revocations held in memory.
 */
final class VerifierFixture {

    final LatchkeyConfig config = TestConfig.defaults();
    final TestClock clock;
    final UUID user = UUID.randomUUID();
    final ActiveKey key = new ActiveKey(UUID.randomUUID().toString(), user, "fixed-instant", List.of("reader"),
            KeyAlgorithm.HS256, new SecretKeySpec(randomBytes(32), "HmacSHA256"));
    final InMemoryKeys keys = new InMemoryKeys();
    final InMemoryRevocations revocations = new InMemoryRevocations();
    private final Instant issuedAt;

    VerifierFixture(Instant issuedAt) {
        this.issuedAt = issuedAt;
        this.clock = new TestClock(issuedAt);
        keys.put(key);
    }

    /** A verifier with nothing remembered yet, reading {@link #clock}. */
    TokenVerifier freshVerifier() {
        return new TokenVerifier(config, keys, revocations, clock);
    }

    /** A token for {@link #user} issued by the project's own issuer at the fixture's issue instant. */
    String issue() {
        Instant now = clock.instant();
        clock.setEpochSecond(issuedAt.getEpochSecond());
        try {
            return new TokenIssuer(config, clock).issue(user, key.username(), key.roles(),
                    new KeyForSigning(key, key.verificationKey())).token();
        } finally {
            clock.setEpochSecond(now.getEpochSecond());
        }
    }

    /** Claims as the issuer writes them at the issue instant, for forging a token that breaks one rule. */
    JwtClaims claims() {
        JwtClaims claims = new TokenForge(config).validClaims(user, key.username());
        long iat = issuedAt.getEpochSecond();
        claims.setIssuedAt(NumericDate.fromSeconds(iat));
        claims.setNotBefore(NumericDate.fromSeconds(iat));
        claims.setExpirationTime(NumericDate.fromSeconds(iat + config.tokenLifetime().toSeconds()));
        return claims;
    }

    /** {@code claims} signed with the user's key, by jose4j directly. */
    String forge(JwtClaims claims) {
        return TokenForge.hs256(claims, key.kid(), key.verificationKey());
    }

    String jtiOf(String token) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setCompactSerialization(token);
            return JwtClaims.parse(jws.getUnverifiedPayload()).getJwtId();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
    /** Keys by kid in a map: what the cache answers once warm. Vetoed: a plain object, not a second bean. */
    @Vetoed
    static final class InMemoryKeys extends KeyCache {
        private final ConcurrentHashMap<String, ActiveKey> byKid = new ConcurrentHashMap<>();
        /** How often a key was looked up. */
        final AtomicInteger lookups = new AtomicInteger();

        void put(ActiveKey key) {
            byKid.put(key.kid(), key);
        }

        void remove(String kid) {
            byKid.remove(kid);
        }

        @Override
        public Optional<ActiveKey> find(String kid) {
            lookups.incrementAndGet();
            return Optional.ofNullable(kid).map(byKid::get);
        }
    }

    /** Revoked token ids in a set: what {@link Revocations} answers once loaded. Vetoed like the keys. */
    @Vetoed
    static final class InMemoryRevocations extends Revocations {
        private final Set<String> revoked = ConcurrentHashMap.newKeySet();

        @Override
        public void revoke(String jti, UUID userId, long expiresAt) {
            revoked.add(jti);
        }

        void forgetAll() {
            revoked.clear();
        }

        @Override
        public boolean isRevoked(String jti) {
            return revoked.contains(jti);
        }
    }
}
