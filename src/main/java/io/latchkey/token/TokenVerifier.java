package io.latchkey.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Security;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.crypto.Mac;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.jboss.logging.Logger;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

import io.latchkey.cluster.DatabaseUnavailable;
import io.latchkey.cluster.NotInMemory;
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyCache;

/**
 * The one place that decides whether a token is valid, rule by rule in the contract's order. jose4j checks
 * the structure, the algorithm (pinned to the stored key's), the signature, {@code crit}, {@code exp}/{@code nbf} with leeway,
 * {@code iss} and {@code aud}; the rest (key ownership, revocation) is checked here. Keys and revocations come
 * from memory, so a check makes no database round trip in steady state.
 */
@ApplicationScoped
public class TokenVerifier {

    /** Tokens over 8 KiB are refused before parsing. */
    public static final int MAX_TOKEN_BYTES = 8 * 1024;

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);

    /**
     * Ed25519 signatures verified by Bouncy Castle (already a dependency, for argon2): about nine times faster
     * than the JDK 17 provider (bench/SignatureCost.java), which matters for tokens that take the full check
     * (first sight, forged ones). The JDK still makes and stores the keys; HMAC stays with the JDK (a Mac, not a
     * Signature).
     */
    private static final ProviderContext SIGNATURES = new ProviderContext();

    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider()); // last: the JDK's providers keep their precedence
        }
        SIGNATURES.getSuppliedKeyProviderContext().setSignatureProvider(BouncyCastleProvider.PROVIDER_NAME);
    }

    /** Every algorithm a key may have; each key then accepts only its own ({@link #resolve}). */
    private static final String[] ALGORITHMS = Arrays.stream(KeyAlgorithm.values()).map(KeyAlgorithm::jwsName)
            .toArray(String[]::new);

    /** Reads JOSE headers for the early HMAC check (thread-safe, no configuration). */
    private static final JsonFactory JSON = new JsonFactory();

    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    });

    private final LatchkeyConfig config;
    private final KeyCache keys;
    private final Revocations revocations;
    private final Clock clock;
    private final RecentlyVerified recentlyVerified = new RecentlyVerified();

    @Inject
    TokenVerifier(LatchkeyConfig config, KeyCache keys, Revocations revocations, Clock clock) {
        this.config = config;
        this.keys = keys;
        this.revocations = revocations;
        this.clock = clock;
    }

    /**
     * The jose4j rules, evaluated at {@code now}: jose4j fixes the evaluation time when a consumer is built, so
     * each check builds its own (a handful of small objects) rather than let jose4j read the system clock.
     */
    private JwtConsumer consumer(long now) {
        long lifetimeMinutes = Math.max(1, (config.tokenLifetime().toSeconds() + 59) / 60);
        return new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, ALGORITHMS)
                .setVerificationKeyResolver((jws, nesting) -> resolve(jws))
                .setJwsProviderContext(SIGNATURES)
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireNotBefore()
                .setRequireJwtId()
                .setRequireSubject()
                .setEvaluationTime(NumericDate.fromSeconds(now))
                .setMaxFutureValidityInMinutes((int) lifetimeMinutes + 1)
                .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
                .setExpectedIssuer(config.issuer())
                .setExpectedAudience(config.audience())
                .build();
    }

    /**
     * Verifies {@code token}. On the I/O thread, throws {@link NotInMemory} when a key or revocation is not in
     * memory (the caller retries on a thread that may block); {@link DatabaseUnavailable} when only an unreachable
     * database could tell.
     */
    public VerifiedToken verify(String token) throws InvalidTokenException {
        checkSize(token);
        String digest = RecentlyVerified.digestOf(token);
        long now = clock.instant().getEpochSecond(); // one instant for every rule of this check
        RecentlyVerified.Entry seen = recentlyVerified.get(digest);
        if (seen != null) {
            if (stillValid(seen, now)) {
                return seen.token();
            }
            recentlyVerified.forget(digest); // and check it in full: the answer is then the full check's
        }
        refuseWrongHmacEarly(token);
        JwtContext context = parseAndCheckSignatureAndClaims(token, now);
        try {
            JwtClaims claims = context.getJwtClaims();
            ActiveKey key = checkKeyBelongsToSubject(context, claims.getSubject());
            checkNotRevoked(claims.getJwtId());
            // name and roles as the database has them: a key holder cannot grant itself roles by minting claims
            VerifiedToken verified = new VerifiedToken(claims.getJwtId(), key.userId(), key.username(), key.roles(),
                    claims.getIssuer(), claims.getAudience(),
                    claims.getExpirationTime().getValue(), claims.getIssuedAt().getValue(),
                    claims.getNotBefore().getValue(), key.kid());
            recentlyVerified.remember(digest, new RecentlyVerified.Entry(verified, key));
            return verified;
        } catch (MalformedClaimException e) {
            throw invalid("malformed claim: " + e.getMessage());
        }
    }

    /**
     * A token verified before still passes if the rules that can change since still hold: the time window
     * (as jose4j applies it, with the same leeway), its key still being the user's current one (the very
     * object checked then: any invalidation replaces it), and its id not being revoked.
     */
    private boolean stillValid(RecentlyVerified.Entry seen, long now) {
        VerifiedToken token = seen.token();
        long skew = config.clockSkew().toSeconds();
        return now < token.expiresAt() + skew
                && now + skew >= token.notBefore()
                && keys.find(token.kid()).filter(current -> current == seen.key()).isPresent()
                && !revocations.isRevoked(token.jti());
    }

    private static void checkSize(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_BYTES) {
            throw invalid("empty or over " + MAX_TOKEN_BYTES + " bytes");
        }
    }

    /**
     * A token whose HS256 signature does not match its key is refused here, before jose4j builds its consumer and
     * parses the token (several times the cost of the signature itself): a forged token costs little more than a
     * valid one. Whatever this cannot decide cheaply (another algorithm, an odd header) is left to the full check,
     * which decides everything again, so this only ever refuses earlier, never accepts.
     */
    private void refuseWrongHmacEarly(String token) throws InvalidTokenException {
        int firstDot = token.indexOf('.');
        int secondDot = token.indexOf('.', firstDot + 1);
        if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
            return;
        }
        String kid = hs256Kid(token, firstDot);
        if (kid == null) {
            return;
        }
        Optional<ActiveKey> key = keys.find(kid).filter(k -> k.algorithm() == KeyAlgorithm.HS256);
        if (key.isEmpty()) {
            return; // the full check refuses it with its own reason
        }
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(token.substring(secondDot + 1));
        } catch (IllegalArgumentException e) {
            return;
        }
        Mac mac = HMAC_SHA256.get();
        try {
            mac.init(key.get().verificationKey());
        } catch (InvalidKeyException e) {
            return;
        }
        byte[] expected = mac.doFinal(token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII));
        if (!MessageDigest.isEqual(expected, signature)) {
            throw invalid("signature does not match (early check)");
        }
    }

    /**
     * The kid of a header that names HS256 and a kid, read with a streaming parser (jose4j's allocates a 16 KiB
     * buffer per parse, most of a forged token's cost); null for anything else or anything odd (a repeated member,
     * not an object), which the full check then decides.
     */
    private static String hs256Kid(String token, int headerEnd) {
        byte[] header;
        try {
            header = Base64.getUrlDecoder().decode(token.substring(0, headerEnd));
        } catch (IllegalArgumentException e) {
            return null;
        }
        String alg = null;
        String kid = null;
        try (JsonParser parser = JSON.createParser(header)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken next;
            while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("alg".equals(name) || "kid".equals(name)) {
                    if (value != JsonToken.VALUE_STRING || ("alg".equals(name) ? alg : kid) != null) {
                        return null;
                    }
                    if ("alg".equals(name)) {
                        alg = parser.getText();
                    } else {
                        kid = parser.getText();
                    }
                } else {
                    parser.skipChildren();
                }
            }
            if (next != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        return KeyAlgorithm.HS256.jwsName().equals(alg) ? kid : null;
    }

    private JwtContext parseAndCheckSignatureAndClaims(String token, long now) throws InvalidTokenException {
        try {
            return consumer(now).process(token);
        } catch (InvalidJwtException e) {
            // jose4j wraps what the key resolver throws: "ask elsewhere" and "cannot tell now" are not "invalid"
            if (e.getCause() instanceof NotInMemory notInMemory) {
                throw notInMemory;
            }
            if (e.getCause() instanceof DatabaseUnavailable unavailable) {
                throw unavailable;
            }
            throw invalid(reasonOf(e));
        } catch (NotInMemory | DatabaseUnavailable e) {
            throw e;
        } catch (RuntimeException e) {
            throw invalid("unparseable: " + e.getClass().getSimpleName());
        }
    }

    /**
     * The key named by {@code kid}, only for the algorithm that key was made for: an Ed25519 key accepts only
     * EdDSA and an HMAC key only HS256, so a token cannot pick how its key is used (an HS256 token "signed" with
     * an Ed25519 public key as HMAC secret is refused here).
     */
    private Key resolve(JsonWebStructure jws) throws UnresolvableKeyException {
        String alg = jws.getAlgorithmHeaderValue();
        if (Arrays.stream(ALGORITHMS).noneMatch(allowed -> allowed.equals(alg))) {
            throw new UnresolvableKeyException("algorithm not allowed"); // before any key look-up, so it costs nothing
        }
        String kid = jws.getKeyIdHeaderValue();
        if (kid == null || kid.length() > 128) {
            throw new UnresolvableKeyException("no usable kid");
        }
        ActiveKey key = keys.find(kid)
                .orElseThrow(() -> new UnresolvableKeyException("unknown or retired kid"));
        if (!key.algorithm().jwsName().equals(alg)) {
            throw new UnresolvableKeyException("algorithm is not the key's");
        }
        return key.verificationKey();
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

    /** jose4j's messages quote the token itself, which must never reach a log: keep the error codes only. */
    private static String reasonOf(InvalidJwtException e) {
        return "jose4j error codes " + e.getErrorDetails().stream().map(d -> Integer.toString(d.getErrorCode())).toList();
    }

    private static InvalidTokenException invalid(String reason) {
        LOG.debugf("Token refused: %s", reason);
        return new InvalidTokenException(reason);
    }
}
