package io.latchkey.verifier;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;

/**
 * Verifies Latchkey tokens locally: keys fetched from {@code GET /keys/{kid}} and cached for their max-age,
 * revocations applied from {@code GET /events}. While the event stream has not been heard from within the lease,
 * the cache may be missing revocations, so nothing is verified ("stale").
 */
public final class LatchkeyVerifier implements AutoCloseable {

    public record Settings(URI baseUrl, String clientId, String clientSecret, String issuer, String audience,
            Duration leeway, Duration lease, Duration unknownKidRetry) {

        @Override
        public String toString() {
            return "Settings[" + baseUrl + ", client " + clientId + "]"; // never the secret
        }
    }

    /** A token that passed every check. */
    public record Verified(String sub, String jti, JwtClaims claims) {
    }

    /** The token is refused; the reason is for logs, never for the caller. */
    public static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private record CachedKey(Key key, String alg, String sub, long expiresAtNanos) {
    }

    private static final int MAX_TOKEN_CHARS = 8192;
    private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");

    private final Settings settings;
    private final String authorization;
    private final Map<String, CachedKey> keys = new ConcurrentHashMap<>();
    /** kid -> when it was last found unknown or retired: not fetched again before {@code unknownKidRetry}. */
    private final Map<String, Long> unknownKids = new ConcurrentHashMap<>();
    /** jti -> its token's exp (epoch seconds): refused until then. */
    private final Map<String, Long> revokedJtis = new ConcurrentHashMap<>();
    /** Bumped by every event that retires keys: a key fetched meanwhile may be retired and is not cached. */
    private final AtomicLong generation = new AtomicLong();
    private final EventStream stream;
    private final Thread streamThread;

    private volatile long lastHeardNanos;
    private volatile boolean heardOnce;
    /**
     * Sequence of the last event applied. From 0 at first: Latchkey replays the whole log it keeps (a token lifetime
     * of logouts), or answers {@code reset} when it no longer reaches back that far.
     */
    private volatile long applied;
    /** The newest sequence announced by this connection's opening heartbeat; caught up once applied reaches it. */
    private volatile long catchUpTo = Long.MAX_VALUE;
    private volatile int heartbeatsOnConnection;

    public LatchkeyVerifier(Settings settings) {
        this.settings = settings;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (settings.clientId() + ":" + settings.clientSecret()).getBytes(StandardCharsets.UTF_8));
        this.stream = new EventStream(settings.baseUrl().resolve("events"), authorization, settings.lease(),
                new EventStream.Listener() {
                    @Override
                    public String resumeAfter() {
                        return Long.toString(applied);
                    }

                    @Override
                    public void connected() {
                        catchUpTo = Long.MAX_VALUE;
                        heartbeatsOnConnection = 0;
                    }

                    @Override
                    public void event(String type, String id, String data) {
                        apply(type, id, data);
                    }
                });
        this.streamThread = new Thread(stream, "latchkey-events");
        streamThread.setDaemon(true);
        streamThread.start();
    }

    /** True while the event stream proved alive within the lease and has caught up: only then are tokens verified. */
    public boolean fresh() {
        boolean caughtUp = applied >= catchUpTo || heartbeatsOnConnection >= 2;
        return heardOnce && caughtUp && System.nanoTime() - lastHeardNanos < settings.lease().toNanos();
    }

    public Verified verify(String token) throws Refused {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            throw new Refused("malformed");
        }
        if (!fresh()) {
            throw new Refused("stale");
        }
        String kid;
        try {
            kid = JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue();
        } catch (JoseException e) {
            throw new Refused("malformed");
        }
        if (kid == null || kid.isEmpty() || kid.length() > 128) {
            throw new Refused("unknown_kid");
        }
        CachedKey key = keyFor(kid);
        JwtClaims claims;
        try {
            claims = new JwtConsumerBuilder()
                    // the algorithm comes from the key's type, never from the token's header
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, key.alg())
                    .setVerificationKey(key.key())
                    .setRequireExpirationTime().setRequireSubject().setRequireJwtId()
                    .setAllowedClockSkewInSeconds((int) settings.leeway().toSeconds())
                    .setExpectedIssuer(settings.issuer()).setExpectedAudience(settings.audience())
                    .build().processToClaims(token);
            if (!key.sub().equals(claims.getSubject())) {
                throw new Refused("key_of_another_user");
            }
            if (revokedJtis.containsKey(claims.getJwtId())) {
                throw new Refused("revoked");
            }
            return new Verified(claims.getSubject(), claims.getJwtId(), claims);
        } catch (InvalidJwtException | MalformedClaimException e) {
            throw new Refused("invalid");
        }
    }

    @Override
    public void close() {
        stream.close();
        streamThread.interrupt();
    }

    private CachedKey keyFor(String kid) throws Refused {
        long now = System.nanoTime();
        CachedKey cached = keys.get(kid);
        if (cached != null && now - cached.expiresAtNanos() < 0) {
            return cached;
        }
        Long unknownSince = unknownKids.get(kid);
        if (unknownSince != null && now - unknownSince < settings.unknownKidRetry().toNanos()) {
            throw new Refused("unknown_kid"); // forged or retired kids cost one fetch per retry period, not one each
        }
        long generationBefore = generation.get();
        CachedKey fetched = fetch(kid);
        if (fetched == null) {
            forgetUnknownKidsIfMany();
            unknownKids.put(kid, now);
            throw new Refused("unknown_kid");
        }
        if (generation.get() == generationBefore) {
            keys.put(kid, fetched);
        }
        return fetched;
    }

    /** The key as Latchkey serves it now, or null when it has no current key of that kid. */
    private CachedKey fetch(String kid) throws Refused {
        try {
            URI uri = settings.baseUrl().resolve("keys/" + URLEncoder.encode(kid, StandardCharsets.UTF_8));
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            try {
                connection.setConnectTimeout(10_000);
                connection.setReadTimeout(10_000);
                connection.setRequestProperty("Authorization", authorization);
                int status = connection.getResponseCode();
                if (status == 404) {
                    return null;
                }
                if (status != 200) {
                    throw new Refused("key_fetch_failed");
                }
                String body;
                try (InputStream in = connection.getInputStream()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                return cachedKey(JsonUtil.parseJson(body), connection.getHeaderField("Cache-Control"));
            } finally {
                connection.disconnect();
            }
        } catch (IOException | JoseException | RuntimeException e) {
            throw new Refused("key_fetch_failed");
        }
    }

    private static CachedKey cachedKey(Map<String, Object> json, String cacheControl) throws JoseException {
        JsonWebKey jwk = JsonWebKey.Factory.newJwk(json);
        String alg = switch (jwk.getKeyType()) {
            case "oct" -> AlgorithmIdentifiers.HMAC_SHA256;
            case "OKP" -> AlgorithmIdentifiers.EDDSA;
            default -> throw new JoseException("unsupported key type");
        };
        if (!alg.equals(jwk.getAlgorithm()) || !(json.get("sub") instanceof String sub)) {
            throw new JoseException("key does not match its type or names no user");
        }
        Matcher maxAge = MAX_AGE.matcher(cacheControl == null ? "" : cacheControl);
        long seconds = maxAge.find() ? Long.parseLong(maxAge.group(1)) : 0;
        return new CachedKey(jwk.getKey(), alg, sub, System.nanoTime() + Duration.ofSeconds(seconds).toNanos());
    }

    private void apply(String type, String id, String data) {
        lastHeardNanos = System.nanoTime();
        heardOnce = true;
        Map<String, Object> json;
        try {
            json = JsonUtil.parseJson(data);
        } catch (JoseException e) {
            return;
        }
        if (!"heartbeat".equals(type) && !"token.revoked".equals(type)) {
            generation.incrementAndGet();
        }
        switch (type) {
            case "heartbeat" -> heartbeat(json.get("latest"));
            case "key.retired" -> retire(json.get("kid"));
            case "user.disabled", "user.deleted" -> keys.forEach((kid, key) -> {
                if (key.sub().equals(json.get("sub"))) {
                    retire(kid);
                }
            });
            case "token.revoked" -> {
                if (json.get("jti") instanceof String jti && json.get("exp") instanceof Number exp) {
                    revokedJtis.put(jti, exp.longValue());
                    forgetExpiredRevocationsIfMany();
                }
            }
            case "reset" -> {
                keys.clear();
                unknownKids.clear();
                revokedJtis.clear();
                if (catchUpTo != Long.MAX_VALUE) {
                    applied = Math.max(applied, catchUpTo); // what follows a reset is live, after the heartbeat's latest
                }
            }
            default -> { } // kinds this verifier does not know
        }
        if (id != null && id.matches("\\d{1,18}")) {
            applied = Math.max(applied, Long.parseLong(id));
        }
    }

    private void heartbeat(Object latest) {
        if (!(latest instanceof Number number)) {
            return;
        }
        if (heartbeatsOnConnection++ == 0) {
            catchUpTo = number.longValue();
        }
    }

    private void retire(Object kid) {
        if (kid instanceof String k) {
            keys.remove(k);
            unknownKids.put(k, System.nanoTime());
        }
    }

    private void forgetUnknownKidsIfMany() {
        if (unknownKids.size() > 10_000) {
            long now = System.nanoTime();
            unknownKids.values().removeIf(since -> now - since >= settings.unknownKidRetry().toNanos());
        }
    }

    private void forgetExpiredRevocationsIfMany() {
        if (revokedJtis.size() > 10_000) {
            long now = System.currentTimeMillis() / 1000 - settings.leeway().toSeconds();
            revokedJtis.values().removeIf(exp -> exp < now);
        }
    }
}
