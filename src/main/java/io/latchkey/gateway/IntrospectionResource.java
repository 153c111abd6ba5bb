package io.latchkey.gateway;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.jboss.resteasy.reactive.ResponseHeader;

import io.latchkey.client.Permission;
import io.latchkey.ops.AuditLog;
import io.latchkey.ops.LatchkeyMetrics;
import io.latchkey.token.VerifiedToken;
import io.latchkey.error.Refusal;
import io.latchkey.web.AuthorizationHeader;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.latchkey.web.FormBody;
import io.latchkey.web.HotPath;
import io.vertx.core.http.HttpServerRequest;
import io.smallrye.mutiny.Uni;

/**
 * RFC 7662 token introspection. The caller is authenticated first (a client with {@code introspect}, or an
 * admin bearer); then the request's syntax is checked (exactly one {@code token}); then the token's meaning:
 * any invalid token, whatever the reason, is {@code {"active": false}} and never an error. In steady state the
 * answer comes from memory on the I/O thread (see {@link HotPath}).
 */
@Path("/introspect")
public class IntrospectionResource {

    /** RFC 7662 section 2.2: an inactive token is exactly this, whatever the reason. */
    private static final byte[] INACTIVE = "{\"active\":false}".getBytes(StandardCharsets.US_ASCII);

    public record Active(boolean active, String tokenType, String sub, String username, List<String> roles,
            String iss, Object aud, long exp, long iat, long nbf, String jti) {
    }

    /** Answers kept for tokens introspected again (a gateway's usual traffic); about 400 bytes each. */
    private static final int MAX_ANSWERS = 4096;

    private record Answer(VerifiedToken token, byte[] json) {
    }

    private final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();

    @Inject
    Callers callers;
    @Inject
    LatchkeyMetrics metrics;
    @Inject
    ObjectMapper json;
    @Inject
    AuditLog audit;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @ResponseHeader(name = "Cache-Control", value = "no-store")
    public Uni<byte[]> introspect(@Context HttpHeaders headers, @Context HttpServerRequest request, String body) {
        long started = System.nanoTime();
        return HotPath.answer(() -> {
            authenticateCaller(headers, request);
            Optional<VerifiedToken> verified = callers.check(tokenParameter(headers, body));
            metrics.introspected(verified.isPresent());
            byte[] answer = verified.isPresent() ? answerOf(verified.get()) : INACTIVE;
            metrics.introspectionTook(System.nanoTime() - started);
            // bytes, so the framework writes them with a writer chosen once, at build time
            return answer;
        });
    }

    /**
     * The JSON answer for a verified token, written once per token: the answer is a function of the verified token
     * alone, and a re-verified token is a new object, so an answer is reused only for the very object it was written for.
     */
    private byte[] answerOf(VerifiedToken token) {
        Answer known = answers.get(token.jti());
        if (known != null && known.token() == token) {
            return known.json();
        }
        byte[] json = json(active(token));
        if (answers.size() >= MAX_ANSWERS) {
            answers.clear(); // crude but bounded, as the verifier's own memory of tokens
        }
        answers.put(token.jti(), new Answer(token, json));
        return json;
    }

    private void authenticateCaller(HttpHeaders headers, HttpServerRequest request) {
        AuthorizationHeader authorization = AuthorizationHeader.of(headers.getRequestHeader(HttpHeaders.AUTHORIZATION));
        if (authorization.scheme() == AuthorizationHeader.Scheme.BEARER) {
            callers.admin(headers);
            return;
        }
        try {
            callers.client(headers, Permission.INTROSPECT);
        } catch (Refusal refused) {
            audit.record("introspect", refused.code().wireName(), Callers.claimedClientId(headers).orElse(null), null,
                    ClientAddress.of(request));
            throw refused;
        }
    }

    private static String tokenParameter(HttpHeaders headers, String body) {
        MediaType type = headers.getMediaType();
        if (type == null || !type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            throw Refusal.invalidRequest("Send the token as an application/x-www-form-urlencoded 'token' field.");
        }
        return FormBody.parse(body).get("token").filter(t -> !t.isEmpty())
                .orElseThrow(() -> Refusal.invalidRequest("The 'token' parameter is missing."));
    }

    private byte[] json(Active active) {
        try {
            return json.writeValueAsBytes(active);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Active active(VerifiedToken t) {
        Object aud = t.audience().size() == 1 ? t.audience().get(0) : t.audience();
        return new Active(true, "Bearer", t.userId().toString(), t.username(), t.roles(), t.issuer(), aud,
                t.expiresAt(), t.issuedAt(), t.notBefore(), t.jti());
    }
}
