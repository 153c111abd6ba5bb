package io.latchkey.token;

import java.security.Key;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.UnresolvableKeyException;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyCache;

/**
 * The one place that decides whether a token is valid, rule by rule in the contract's order. jose4j checks
 * the structure, the pinned algorithm, the signature, {@code crit}, {@code exp}/{@code nbf} with leeway,
 * {@code iss} and {@code aud}; the rest (key ownership, revocation) is checked here. Keys and revocations come
 * from memory, so a check makes no database round trip in steady state.
 */
@ApplicationScoped
public class TokenVerifier {

    /** Tokens over 8 KiB are refused before parsing. */
    public static final int MAX_TOKEN_BYTES = 8 * 1024;

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);

    @Inject
    LatchkeyConfig config;
    @Inject
    KeyCache keys;
    @Inject
    Revocations revocations;

    private JwtConsumer consumer;

    @PostConstruct
    void configure() {
        long lifetimeMinutes = Math.max(1, (config.tokenLifetime().toSeconds() + 59) / 60);
        consumer = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .setVerificationKeyResolver((jws, nesting) -> resolve(jws))
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireNotBefore()
                .setRequireJwtId()
                .setRequireSubject()
                .setMaxFutureValidityInMinutes((int) lifetimeMinutes + 1)
                .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
                .setExpectedIssuer(config.issuer())
                .setExpectedAudience(config.audience())
                .build();
    }

    public VerifiedToken verify(String token) throws InvalidTokenException {
        checkSize(token);
        JwtContext context = parseAndCheckSignatureAndClaims(token);
        try {
            JwtClaims claims = context.getJwtClaims();
            ActiveKey key = checkKeyBelongsToSubject(context, claims.getSubject());
            checkNotRevoked(claims.getJwtId());
            return new VerifiedToken(claims.getJwtId(), key.userId(),
                    claims.getStringClaimValue(TokenIssuer.USERNAME_CLAIM),
                    rolesOf(claims), claims.getIssuer(), claims.getAudience(),
                    claims.getExpirationTime().getValue(), claims.getIssuedAt().getValue(),
                    claims.getNotBefore().getValue(), key.kid());
        } catch (MalformedClaimException e) {
            throw invalid("malformed claim: " + e.getMessage());
        }
    }

    private static void checkSize(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_BYTES) {
            throw invalid("empty or over " + MAX_TOKEN_BYTES + " bytes");
        }
    }

    private JwtContext parseAndCheckSignatureAndClaims(String token) throws InvalidTokenException {
        try {
            return consumer.process(token);
        } catch (InvalidJwtException e) {
            throw invalid(e.getMessage());
        } catch (RuntimeException e) {
            throw invalid("unparseable: " + e.getClass().getSimpleName());
        }
    }

    private Key resolve(JsonWebStructure jws) throws UnresolvableKeyException {
        String kid = jws.getKeyIdHeaderValue();
        if (kid == null || kid.length() > 128) {
            throw new UnresolvableKeyException("no usable kid");
        }
        return keys.find(kid).orElseThrow(() -> new UnresolvableKeyException("unknown or retired kid")).secret();
    }

    private ActiveKey checkKeyBelongsToSubject(JwtContext context, String subject) throws InvalidTokenException {
        List<JsonWebStructure> structures = context.getJoseObjects();
        if (structures.size() != 1) {
            throw invalid("nested token");
        }
        ActiveKey key = keys.find(structures.get(0).getKeyIdHeaderValue())
                .orElseThrow(() -> invalid("key retired during the check"));
        if (!key.userId().toString().equals(subject)) {
            throw invalid("kid of another user");
        }
        return key;
    }

    private void checkNotRevoked(String jti) throws InvalidTokenException {
        if (revocations.isRevoked(jti)) {
            throw invalid("revoked");
        }
    }

    private static List<String> rolesOf(JwtClaims claims) throws MalformedClaimException {
        if (!claims.hasClaim(TokenIssuer.ROLES_CLAIM)) {
            return List.of();
        }
        return List.copyOf(claims.getStringListClaimValue(TokenIssuer.ROLES_CLAIM));
    }

    private static InvalidTokenException invalid(String reason) {
        LOG.debugf("Token refused: %s", reason);
        return new InvalidTokenException(reason);
    }
}
