package io.latchkey.session;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.latchkey.error.Refusal;
import io.latchkey.token.VerifiedToken;
import io.latchkey.user.UserService;
import io.latchkey.user.UserView;
import io.latchkey.web.Callers;

/** {@code GET /users/current}: who the presented token belongs to. */
@Path("/users/current")
@Produces(MediaType.APPLICATION_JSON)
public class CurrentUserResource {

    @Inject
    UserService users;
    @Inject
    Callers callers;

    @GET
    public Response current(@Context HttpHeaders headers) {
        VerifiedToken token = callers.user(headers);
        UserView user = users.find(token.userId()).map(UserView::of).orElseThrow(Refusal::tokenInvalid);
        return Response.ok(user).header("Cache-Control", "no-store").build();
    }
}
