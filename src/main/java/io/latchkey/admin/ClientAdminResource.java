package io.latchkey.admin;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.latchkey.client.Client;
import io.latchkey.client.ClientService;
import io.latchkey.client.Permission;
import io.latchkey.error.Refusal;
import io.latchkey.ops.AuditLog;
import io.latchkey.token.VerifiedToken;
import io.latchkey.web.Callers;
import io.latchkey.web.ClientAddress;
import io.vertx.core.http.HttpServerRequest;

/** Administration of clients (admin bearer). A client's secret is in the creation response and nowhere else. */
@Path("/clients")
@Produces(MediaType.APPLICATION_JSON)
public class ClientAdminResource {

    public record CreateClient(String clientId, List<String> permissions) {
    }

    public record ClientView(String clientId, List<String> permissions, Instant createdAt) {
        static ClientView of(Client client) {
            return new ClientView(client.clientId(), client.permissions().stream().map(Permission::wireName).toList(),
                    client.createdAt().truncatedTo(ChronoUnit.SECONDS));
        }
    }

    public record CreatedClientView(String clientId, String clientSecret, List<String> permissions, Instant createdAt) {
        @Override
        public String toString() {
            return "CreatedClientView[clientId=" + clientId + "]";
        }
    }

    @Inject
    ClientService clients;
    @Inject
    Callers callers;
    @Inject
    AuditLog audit;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Context HttpHeaders headers, @Context HttpServerRequest request, CreateClient body) {
        VerifiedToken admin = callers.adminForChange(headers);
        if (body == null) {
            throw Refusal.invalidRequest("The body must be a JSON object with client_id and permissions.");
        }
        ClientService.CreatedClient created = clients.create(body.clientId(), body.permissions());
        ClientView view = ClientView.of(created.client());
        audit.record("client.create", "success", admin.username(), view.clientId(), ClientAddress.of(request));
        return Response.created(URI.create("/clients/" + view.clientId()))
                .entity(new CreatedClientView(view.clientId(), created.secret(), view.permissions(), view.createdAt()))
                .header("Cache-Control", "no-store")
                .build();
    }

    @GET
    public List<ClientView> list(@Context HttpHeaders headers) {
        callers.admin(headers);
        return clients.list().stream().map(ClientView::of).toList();
    }

    @DELETE
    @Path("{clientId}")
    public Response delete(@Context HttpHeaders headers, @Context HttpServerRequest request,
            @PathParam("clientId") String clientId) {
        VerifiedToken admin = callers.adminForChange(headers);
        clients.delete(clientId);
        audit.record("client.delete", "success", admin.username(), clientId, ClientAddress.of(request));
        return Response.noContent().build();
    }
}
