package io.latchkey.token;

import java.security.Key;
import java.util.List;
import java.util.UUID;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import io.latchkey.config.LatchkeyConfig;

/**
 * Test-side token forging with jose4j, independent of the production issuer: claims as the contract describes
 * them, then signed (or not) however a test needs, so each validity rule can be broken on its own.
 */
public final class TokenForge {

    private final LatchkeyConfig config;

    public TokenForge(LatchkeyConfig config) {
        this.config = config;
    }

    /** Claims of a token that satisfies every rule of the contract for {@code userId}, valid for ten minutes. */
    public JwtClaims validClaims(UUID userId, String username) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(config.issuer());
        claims.setSubject(userId.toString());
        claims.setAudience(config.audience());
        NumericDate now = NumericDate.now();
        claims.setIssuedAt(now);
        claims.setNotBefore(now);
        claims.setExpirationTime(NumericDate.fromSeconds(now.getValue() + 600));
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setClaim("preferred_username", username);
        claims.setStringListClaim("roles", List.of());
        return claims;
    }

    /** HS256 with {@code kid} in the header, as Latchkey signs. */
    public static String hs256(JwtClaims claims, String kid, Key key) {
        return signed(claims, kid, key, AlgorithmIdentifiers.HMAC_SHA256);
    }

    /** Signed with any algorithm; key-length checks are off so a 256-bit secret can sign HS512. */
    public static String signed(JwtClaims claims, String kid, Key key, String algorithm) {
        JsonWebSignature jws = jws(claims, kid, algorithm);
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        return serialize(jws);
    }

    /** {@code alg: none}: no signature at all. */
    public static String unsigned(JwtClaims claims, String kid) {
        JsonWebSignature jws = jws(claims, kid, AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        return serialize(jws);
    }

    /** HS256 with a {@code crit} header naming an extension no verifier knows. */
    public static String hs256WithUnknownCriticalHeader(JwtClaims claims, String kid, Key key) {
        JsonWebSignature jws = jws(claims, kid, AlgorithmIdentifiers.HMAC_SHA256);
        jws.setHeader("x-latchkey-test", "must-be-understood");
        jws.setCriticalHeaderNames("x-latchkey-test");
        jws.setKey(key);
        return serialize(jws);
    }

    private static JsonWebSignature jws(JwtClaims claims, String kid, String algorithm) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setHeader("typ", "JWT");
        jws.setKeyIdHeaderValue(kid);
        return jws;
    }

    private static String serialize(JsonWebSignature jws) {
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("forging a test token failed", e);
        }
    }
}
