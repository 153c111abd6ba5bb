package io.latchkey.gateway;

import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

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
 * the key also signs, so only clients with {@code keys:read} get it (an admin's only when configured); an
 * Ed25519 key is served as its public half only, to anyone when configured ({@link KeyDisclosure}). Every fetch
 * is audited.
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
        String address = ClientAddress.of(request);
        if (headers.getHeaderString(HttpHeaders.AUTHORIZATION) == null && config.keys().publicKeysOpen()) {
            Optional<ActiveKey> key = current(kid);
            if (key.isEmpty() || KeyDisclosure.servedWithoutClient(key.get(), config.keys())) {
                return answer(key, null, kid, address);
            }
            // an HMAC key: for keys:read clients only, so on to authentication, which refuses this caller
        }
        CachedClient client;
        try {
            client = callers.client(headers, Permission.KEYS_READ);
        } catch (Refusal refused) {
            audit.record("key.fetch", refused.code().wireName(), Callers.claimedClientId(headers).orElse(null), kid,
                    address);
            throw refused;
        }
        Optional<ActiveKey> key = current(kid);
        if (key.isPresent() && !KeyDisclosure.servedToClient(key.get(), config.keys())) {
            audit.record("key.fetch", "admin_key_refused", client.clientId(), kid, address);
            throw notFound(); // as for any key it may not have: nothing to learn from the answer
        }
        return answer(key, client.clientId(), kid, address);
    }

    private Optional<ActiveKey> current(String kid) {
        return kid.length() > 128 ? Optional.empty() : keys.find(kid);
    }

    /** The key as a JWK, or 404; audited either way ({@code clientId} null: no client authenticated). */
    private Response answer(Optional<ActiveKey> key, String clientId, String kid, String address) {
        audit.record("key.fetch", key.isEmpty() ? "not_found" : "success", clientId, kid, address);
        if (key.isEmpty()) {
            throw notFound();
        }
        return Response.ok(Jwk.of(key.get()))
                .header("Cache-Control", "private, max-age=" + config.keys().maxAge().toSeconds())
                .build();
    }

    private static Refusal notFound() {
        return Refusal.notFound("No current key has that kid.");
    }
}
