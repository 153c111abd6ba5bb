package io.latchkey.gateway;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;

import io.latchkey.client.Permission;
import io.latchkey.error.Refusal;
import io.latchkey.web.AuthorizationHeader;
import io.latchkey.web.Callers;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code GET /events}: the change log as Server-Sent Events, for services that cache keys (see {@link EventStream}).
 * The caller is authenticated here, so refusals are ordinary JSON errors; the stream is then written straight to
 * the connection, in exactly the contract's format.
 */
@Path("/events")
public class EventsResource {

    @Inject
    Callers callers;
    @Inject
    EventStream stream;

    @GET
    @Blocking
    public Uni<Void> events(@Context HttpHeaders headers, @Context HttpServerResponse response,
            @HeaderParam("Last-Event-ID") String lastEventId, @QueryParam("after") String after) {
        if (AuthorizationHeader.of(headers.getRequestHeader(HttpHeaders.AUTHORIZATION)).scheme()
                == AuthorizationHeader.Scheme.BEARER) {
            callers.admin(headers);
        } else {
            callers.client(headers, Permission.EVENTS_READ);
        }
        stream.subscribe(response, resumeAfter(lastEventId != null ? lastEventId : after));
        return Uni.createFrom().nothing(); // the stream answers; it ends when the subscriber or the service goes
    }

    /** The sequence to resume after: absent, or a decimal number (what this service sent as an event's id). */
    private static Long resumeAfter(String value) {
        if (value == null) {
            return null;
        }
        if (!value.matches("[0-9]{1,18}")) {
            throw Refusal.invalidRequest("Last-Event-ID (or after) must be the id of an event this service sent.");
        }
        return Long.parseLong(value);
    }
}
