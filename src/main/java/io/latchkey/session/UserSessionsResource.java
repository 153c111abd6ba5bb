package io.latchkey.session;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.latchkey.common.CanonicalUuid;
import io.latchkey.error.Refusal;
import io.latchkey.ops.AuditLog;
import io.latchkey.token.VerifiedToken;
import io.latchkey.user.Roles;
import io.latchkey.user.UserService;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.vertx.core.http.HttpServerRequest;

/** {@code /users/{id}/sessions}: where a user is logged in, and ending one of those sessions. Admin or the user. */
@Path("/users/{id}/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class UserSessionsResource {

    public record SessionView(String jti, Instant issuedAt, Instant expiresAt, String address, String userAgent,
            boolean current) {
    }

    @Inject
    Sessions sessions;
    @Inject
    UserService users;
    @Inject
    Callers callers;
    @Inject
    AuditLog audit;

    @GET
    public Response list(@Context HttpHeaders headers, @PathParam("id") String id) {
        VerifiedToken caller = callers.user(headers);
        UUID userId = adminOrSelf(caller, id);
        List<SessionView> active = sessions.active(userId, caller.jti()).stream()
                .map(s -> new SessionView(s.jti(), s.issuedAt(), s.expiresAt(), s.address(), s.userAgent(), s.current()))
                .toList();
        return Response.ok(active).header("Cache-Control", "no-store").build();
    }

    @DELETE
    @Path("{jti}")
    public Response end(@Context HttpHeaders headers, @Context HttpServerRequest request, @PathParam("id") String id,
            @PathParam("jti") String jti) {
        VerifiedToken caller = callers.userForChange(headers);
        UUID userId = adminOrSelf(caller, id);
        if (!sessions.end(userId, jti)) {
            throw Refusal.notFound("This user has no such session.");
        }
        audit.record("session.end", "success", caller.username(), userId.toString(), ClientAddress.of(request));
        return Response.noContent().build();
    }

    /** The user named by {@code id}: the caller themself, or anyone for an admin (404 when there is no such user). */
    private UUID adminOrSelf(VerifiedToken caller, String id) {
        Optional<UUID> target = CanonicalUuid.parse(id);
        boolean self = target.isPresent() && target.get().equals(caller.userId());
        if (!self && !Roles.isAdmin(caller.roles())) {
            throw Refusal.forbidden("Only an admin or the user themself may see or end these sessions.");
        }
        if (!self && target.flatMap(users::find).isEmpty()) {
            throw Refusal.notFound("No such user.");
        }
        return target.orElseThrow();
    }
}
