package io.latchkey.gateway;

import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.latchkey.client.CachedClient;
import io.latchkey.client.Permission;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyCache;
import io.latchkey.ops.AuditLog;
import io.latchkey.error.Refusal;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.vertx.core.http.HttpServerRequest;

/**
 * The cached key fetch: a user's current key as a JWK, for services that verify tokens locally. With HMAC
 * the key also signs, so only clients with {@code keys:read} get it; an Ed25519 key is served as its public
 * half only. Every fetch is audited.
 */
@Path("/keys/{kid}")
public class KeyResource {

    /** An {@code oct} JWK (HMAC: {@code k} is the secret) or an {@code OKP} one (Ed25519: {@code x}, never {@code d}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Jwk(String kty, String crv, String x, String kid, String alg, String use, String k, String sub) {

        static Jwk of(ActiveKey key) {
            String sub = key.userId().toString();
            return switch (key.algorithm()) {
                case HS256 -> new Jwk("oct", null, null, key.kid(), key.algorithm().jwsName(), "sig",
                        Base64.getUrlEncoder().withoutPadding().encodeToString(key.verificationKey().getEncoded()),
                        sub);
                case EdDSA -> {
                    Map<String, Object> okp = new OctetKeyPairJsonWebKey((PublicKey) key.verificationKey())
                            .toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
                    yield new Jwk("OKP", (String) okp.get("crv"), (String) okp.get("x"), key.kid(),
                            key.algorithm().jwsName(), "sig", null, sub);
                }
            };
        }

        @Override
        public String toString() {
            return "Jwk[kid=" + kid + ", sub=" + sub + "]";
        }
    }

    @Inject
    Callers callers;
    @Inject
    KeyCache keys;
    @Inject
    AuditLog audit;
    @Inject
    LatchkeyConfig config;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response fetch(@PathParam("kid") String kid, @Context HttpHeaders headers, @Context HttpServerRequest request) {
        CachedClient client;
        try {
            client = callers.client(headers, Permission.KEYS_READ);
        } catch (Refusal refused) {
            audit.record("key.fetch", refused.code().wireName(), Callers.claimedClientId(headers).orElse(null), kid,
                    ClientAddress.of(request));
            throw refused;
        }
        ActiveKey key = (kid.length() > 128 ? java.util.Optional.<ActiveKey>empty() : keys.find(kid)).orElse(null);
        audit.record("key.fetch", key == null ? "not_found" : "success", client.clientId(), kid,
                ClientAddress.of(request));
        if (key == null) {
            throw Refusal.notFound("No current key has that kid.");
        }
        return Response.ok(Jwk.of(key))
                .header("Cache-Control", "private, max-age=" + config.keys().maxAge().toSeconds())
                .build();
    }
}
