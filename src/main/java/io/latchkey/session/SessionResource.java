package io.latchkey.session;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.ops.LatchkeyMetrics;
import io.latchkey.token.IssuedToken;
import io.latchkey.token.VerifiedToken;
import io.latchkey.error.Refusal;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.latchkey.web.CrossSiteRequests;
import io.latchkey.web.TokenSource;
import io.vertx.core.http.HttpServerRequest;

/** {@code /login} and {@code /logout}. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    public record LoginUser(UUID id, String username, List<String> roles) {
    }

    public record LoginResponse(String token, String tokenType, long expiresIn, String expires, LoginUser user) {
        @Override
        public String toString() {
            return "LoginResponse[user=" + user + "]";
        }
    }

    @Inject
    LoginService logins;
    @Inject
    Callers callers;
    @Inject
    LatchkeyConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    LatchkeyMetrics metrics;
    @Inject
    CrossSiteRequests crossSite;

    @POST
    @Path("login")
    @Consumes(MediaType.WILDCARD)
    public Response login(@Context HttpHeaders headers, @Context HttpServerRequest request, byte[] body) {
        crossSite.refuseForeign(request);
        LoginCredentials credentials;
        try {
            credentials = LoginCredentials.read(headers, body, json);
        } catch (Refusal malformed) {
            metrics.loginMalformed();
            throw malformed;
        }
        LoginService.LoginResult result = logins.login(credentials, ClientAddress.of(request),
                request.getHeader("User-Agent"));
        IssuedToken token = result.token();
        long expiresIn = config.tokenLifetime().toSeconds();
        LoginResponse response = new LoginResponse(token.token(), "Bearer", expiresIn, token.expiresAt().toString(),
                new LoginUser(result.key().userId(), result.key().username(), result.key().roles()));
        return Response.ok(response)
                .header("Set-Cookie", cookie(token.token(), expiresIn))
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .build();
    }

    @POST
    @Path("logout")
    @Consumes(MediaType.WILDCARD)
    public Response logout(@Context HttpHeaders headers, @Context HttpServerRequest request) {
        // the browser forgets the token whatever follows, a refusal included
        request.response().putHeader("Set-Cookie", cookie("", 0)).putHeader("Cache-Control", "no-store");
        TokenSource.Presented presented = TokenSource.read(headers);
        Optional<VerifiedToken> token = presented instanceof TokenSource.Found found ? callers.check(found.token())
                : Optional.empty();
        logins.logout(token, ClientAddress.of(request));
        return Response.noContent().build();
    }

    private String cookie(String value, long maxAgeSeconds) {
        return TokenSource.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Lax"
                + (config.cookie().secure() ? "; Secure" : "");
    }
}
