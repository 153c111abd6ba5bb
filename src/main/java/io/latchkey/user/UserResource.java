package io.latchkey.user;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import io.latchkey.ops.AuditLog;
import io.latchkey.token.VerifiedToken;
import io.latchkey.error.Refusal;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.vertx.core.http.HttpServerRequest;

/** The users API: the current user, administration (admin bearer) and key rotation (admin, or the user themself). */
@Path("/users")
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final Set<String> PATCHABLE = Set.of("enabled", "roles", "password");

    public record CreateUser(String username, String password, List<String> roles) {
        @Override
        public String toString() {
            return "CreateUser[username=" + username + "]";
        }
    }

    public record UserPage(List<UserView> users, int offset, int limit, long total) {
    }

    public record Rotated(UUID id, String kid, Instant rotatedAt) {
    }

    @Inject
    UserService users;
    @Inject
    Callers callers;
    @Inject
    AuditLog audit;
    @Inject
    Clock clock;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Context HttpHeaders headers, @Context HttpServerRequest request, CreateUser body) {
        VerifiedToken admin = callers.adminForChange(headers);
        if (body == null) {
            throw Refusal.invalidRequest("The body must be a JSON object with username, password and roles.");
        }
        User user = users.create(body.username(), body.password(), body.roles());
        audit.record("user.create", "success", admin.username(), user.id().toString(), ClientAddress.of(request));
        return Response.created(URI.create("/users/" + user.id())).entity(UserView.of(user)).build();
    }

    @GET
    public UserPage list(@Context HttpHeaders headers, @QueryParam("offset") String offset,
            @QueryParam("limit") String limit) {
        callers.admin(headers);
        int from = parse("offset", offset, 0, Integer.MAX_VALUE, 0);
        int size = parse("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
        UserService.Page page = users.list(from, size);
        return new UserPage(page.users().stream().map(UserView::of).toList(), from, size, page.total());
    }

    @GET
    @Path("current")
    public Response current(@Context HttpHeaders headers) {
        VerifiedToken token = callers.user(headers);
        UserView user = users.find(token.userId()).map(UserView::of).orElseThrow(Refusal::tokenInvalid);
        return Response.ok(user).header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("{id}")
    public UserView get(@Context HttpHeaders headers, @PathParam("id") String id) {
        callers.admin(headers);
        return users.find(userId(id)).map(UserView::of).orElseThrow(() -> Refusal.notFound("No such user."));
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public UserView update(@Context HttpHeaders headers, @Context HttpServerRequest request, @PathParam("id") String id,
            JsonNode body) {
        VerifiedToken admin = callers.adminForChange(headers);
        UUID userId = userId(id);
        User user = users.update(userId, changes(body));
        audit.record("user.update", "success", admin.username(), userId.toString(), ClientAddress.of(request));
        return UserView.of(user);
    }

    @DELETE
    @Path("{id}")
    public Response delete(@Context HttpHeaders headers, @Context HttpServerRequest request, @PathParam("id") String id) {
        VerifiedToken admin = callers.adminForChange(headers);
        UUID userId = userId(id);
        users.delete(userId);
        audit.record("user.delete", "success", admin.username(), userId.toString(), ClientAddress.of(request));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/rotate")
    @Consumes(MediaType.WILDCARD)
    public Rotated rotate(@Context HttpHeaders headers, @Context HttpServerRequest request, @PathParam("id") String id) {
        VerifiedToken caller = callers.userForChange(headers);
        Optional<UUID> target = parseUuid(id);
        boolean self = target.isPresent() && target.get().equals(caller.userId());
        if (!self && !caller.hasRole(User.ADMIN_ROLE)) {
            throw Refusal.forbidden("Only an admin or the user themself may rotate this key.");
        }
        UUID userId = target.orElseThrow(() -> Refusal.notFound("No such user."));
        String kid = users.rotateKey(userId);
        audit.record("key.rotate", "success", caller.username(), userId.toString(), ClientAddress.of(request));
        return new Rotated(userId, kid, clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }

    private static UserService.UserChanges changes(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw Refusal.invalidRequest("The body must be a JSON object with any of enabled, roles, password.");
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!PATCHABLE.contains(field)) {
                throw Refusal.invalidRequest("Only enabled, roles and password can be changed.");
            }
        });
        Optional<Boolean> enabled = Optional.ofNullable(body.get("enabled")).map(node -> {
            if (!node.isBoolean()) {
                throw Refusal.invalidRequest("'enabled' must be true or false.");
            }
            return node.booleanValue();
        });
        Optional<List<String>> roles = Optional.ofNullable(body.get("roles")).map(node -> {
            if (!node.isArray()) {
                throw Refusal.invalidRequest("'roles' must be an array of strings.");
            }
            List<String> names = new ArrayList<>();
            node.forEach(role -> {
                if (!role.isTextual()) {
                    throw Refusal.invalidRequest("'roles' must be an array of strings.");
                }
                names.add(role.textValue());
            });
            return names;
        });
        Optional<String> password = Optional.ofNullable(body.get("password")).map(node -> {
            if (!node.isTextual()) {
                throw Refusal.invalidRequest("'password' must be a string.");
            }
            return node.textValue();
        });
        return new UserService.UserChanges(enabled, roles, password);
    }

    private static int parse(String name, String value, int min, int max, int fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw Refusal.invalidRequest("'" + name + "' must be a whole number from " + min + " to " + max + ".");
    }

    private static UUID userId(String id) {
        return parseUuid(id).orElseThrow(() -> Refusal.notFound("No such user."));
    }

    private static Optional<UUID> parseUuid(String id) {
        try {
            UUID uuid = UUID.fromString(id);
            return uuid.toString().equalsIgnoreCase(id) ? Optional.of(uuid) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
