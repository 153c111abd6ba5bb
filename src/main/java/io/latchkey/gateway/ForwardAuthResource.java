package io.latchkey.gateway;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import io.latchkey.token.VerifiedToken;
import io.latchkey.error.Refusal;
import io.latchkey.web.Callers;
import io.latchkey.web.HotPath;
import io.smallrye.mutiny.Uni;

/**
 * Forward authentication for gateways (nginx auth_request, Traefik ForwardAuth, Envoy ext_authz): any method,
 * the token read from the request's own headers; 204 with the user in X-Auth-* headers, 401 or 403 otherwise.
 */
@Path("/auth")
public class ForwardAuthResource {

    @Inject
    Callers callers;

    @GET
    public Uni<Response> get(@Context HttpHeaders headers, @QueryParam("role") String role) {
        return check(headers, role);
    }

    @POST
    public Uni<Response> post(@Context HttpHeaders headers, @QueryParam("role") String role) {
        return check(headers, role);
    }

    @PUT
    public Uni<Response> put(@Context HttpHeaders headers, @QueryParam("role") String role) {
        return check(headers, role);
    }

    @DELETE
    public Uni<Response> delete(@Context HttpHeaders headers, @QueryParam("role") String role) {
        return check(headers, role);
    }

    @PATCH
    public Uni<Response> patch(@Context HttpHeaders headers, @QueryParam("role") String role) {
        return check(headers, role);
    }

    @HEAD
    public Uni<Response> head(@Context HttpHeaders headers, @QueryParam("role") String role) {
        return check(headers, role);
    }

    @OPTIONS
    public Uni<Response> options(@Context HttpHeaders headers, @QueryParam("role") String role) {
        return check(headers, role);
    }

    /**
     * Header values are ASCII on the wire: a username with other characters is sent as percent-encoded UTF-8
     * (RFC 3986), never mangled into '?'. Backends should key on X-Auth-User-Id.
     */
    static String headerSafe(String username) {
        boolean plain = username.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '%');
        return plain ? username : URLEncoder.encode(username, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Uni<Response> check(HttpHeaders headers, String role) {
        return HotPath.answer(() -> {
            VerifiedToken token = callers.user(headers);
            if (role != null && !token.hasRole(role)) {
                throw Refusal.forbidden("This needs the role '" + (role.length() > 64 ? "?" : role) + "'.");
            }
            return Response.noContent()
                    .header("X-Auth-User-Id", token.userId().toString())
                    .header("X-Auth-Username", headerSafe(token.username()))
                    .header("X-Auth-Roles", String.join(",", token.roles()))
                    .header("Cache-Control", "no-store")
                    .build();
        });
    }
}
