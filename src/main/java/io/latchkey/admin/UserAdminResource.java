package io.latchkey.admin;

import java.net.URI;
import java.util.List;
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

import io.latchkey.common.CanonicalUuid;
import io.latchkey.error.Refusal;
import io.latchkey.ops.AuditLog;
import io.latchkey.token.VerifiedToken;
import io.latchkey.user.User;
import io.latchkey.user.UserService;
import io.latchkey.user.UserView;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.vertx.core.http.HttpServerRequest;

/** Administration of users (admin bearer): create, list, read, change, delete. */
@Path("/users")
@Produces(MediaType.APPLICATION_JSON)
public class UserAdminResource {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    public record CreateUser(String username, String password, List<String> roles) {
        @Override
        public String toString() {
            return "CreateUser[username=" + username + "]";
        }
    }

    public record UserPage(List<UserView> users, int offset, int limit, long total) {
    }

    @Inject
    UserService users;
    @Inject
    Callers callers;
    @Inject
    AuditLog audit;

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
        User user = users.update(userId, UserPatch.read(body));
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

    /** An id that is not a canonical UUID names no user. */
    private static UUID userId(String id) {
        return CanonicalUuid.parse(id).orElseThrow(() -> Refusal.notFound("No such user."));
    }
}
