package io.latchkey.session;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import io.latchkey.common.CanonicalUuid;
import io.latchkey.error.Refusal;
import io.latchkey.ops.AuditLog;
import io.latchkey.token.VerifiedToken;
import io.latchkey.user.Roles;
import io.latchkey.user.UserService;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.vertx.core.http.HttpServerRequest;

/** {@code POST /users/{id}/rotate}: "log out everywhere" by rotating the user's key. */
@Path("/users/{id}/rotate")
@Produces(MediaType.APPLICATION_JSON)
public class RotationResource {

    public record Rotated(UUID id, String kid, Instant rotatedAt) {
    }

    @Inject
    UserService users;
    @Inject
    Callers callers;
    @Inject
    AuditLog audit;

    @POST
    @Consumes(MediaType.WILDCARD)
    public Rotated rotate(@Context HttpHeaders headers, @Context HttpServerRequest request, @PathParam("id") String id) {
        VerifiedToken caller = callers.userForChange(headers);
        Optional<UUID> target = CanonicalUuid.parse(id);
        if (!mayRotate(caller, target)) {
            throw Refusal.forbidden("Only an admin or the user themself may rotate this key.");
        }
        UUID userId = target.orElseThrow(() -> Refusal.notFound("No such user."));
        UserService.Rotation rotation = users.rotateKey(userId);
        audit.record("key.rotate", "success", caller.username(), userId.toString(), ClientAddress.of(request));
        return new Rotated(userId, rotation.kid(), rotation.createdAt().truncatedTo(ChronoUnit.SECONDS));
    }

    /** An admin may rotate anyone's key; anyone else only their own (a non-admin learns nothing of other ids). */
    private static boolean mayRotate(VerifiedToken caller, Optional<UUID> target) {
        return Roles.isAdmin(caller.roles()) || target.filter(caller.userId()::equals).isPresent();
    }
}
