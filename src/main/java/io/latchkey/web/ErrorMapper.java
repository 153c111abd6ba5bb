package io.latchkey.web;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.latchkey.cluster.DatabaseUnavailable;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every failure leaves as the contract's JSON error body; nothing internal reaches a client. The one place that
 * decides how a domain {@link Refusal} is answered: its status, its challenge and its headers.
 */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    static final String BEARER_CHALLENGE = "Bearer realm=\"latchkey\"";
    static final String INVALID_TOKEN_CHALLENGE = "Bearer realm=\"latchkey\", error=\"invalid_token\"";
    static final String BASIC_CHALLENGE = "Basic realm=\"latchkey\"";

    @ServerExceptionMapper
    public Response refusal(Refusal e) {
        Response.ResponseBuilder response = json(status(e.code()), e.code().wireName(), e.description());
        challenge(e.code()).ifPresent(challenge -> response.header("WWW-Authenticate", challenge));
        e.retryAfter().ifPresent(wait -> response.header("Retry-After", Long.toString(wholeSeconds(wait))));
        return response.build();
    }

    /** A token check that memory may not answer and the database does not: fail closed, retry shortly. */
    @ServerExceptionMapper
    public Response databaseUnavailable(DatabaseUnavailable e) {
        return refusal(Refusal.temporarilyUnavailable("Token checks are unavailable for a moment: the database does"
                + " not answer. Retry shortly.", Duration.ofSeconds(2)));
    }

    static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_REQUEST -> 400;
            case UNAUTHORIZED, INVALID_TOKEN, INVALID_CLIENT, INVALID_CREDENTIALS -> 401;
            case FORBIDDEN, CROSS_SITE_REQUEST -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_MANY_ATTEMPTS -> 429;
            case TEMPORARILY_UNAVAILABLE -> 503;
        };
    }

    /** Every 401 names the scheme expected there (RFC 7235); a bad bearer token says so (RFC 6750). */
    static Optional<String> challenge(ErrorCode code) {
        return switch (code) {
            case UNAUTHORIZED -> Optional.of(BEARER_CHALLENGE);
            case INVALID_TOKEN -> Optional.of(INVALID_TOKEN_CHALLENGE);
            case INVALID_CLIENT, INVALID_CREDENTIALS -> Optional.of(BASIC_CHALLENGE);
            default -> Optional.empty();
        };
    }

    /** Retry-After in whole seconds, rounded up and at least 1, so a client never retries too early. */
    private static long wholeSeconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    @ServerExceptionMapper(priority = 1)
    public Response malformedJson(JacksonException e) {
        return json(400, "invalid_request", "The request body is not valid JSON of the expected shape.").build();
    }

    /** Named on its own: Quarkus' built-in mapper for this subtype would otherwise win, with its own body. */
    @ServerExceptionMapper(priority = 1)
    public Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response notUnicode(WellFormedJsonStrings.NotUnicode e) {
        return json(400, "invalid_request", e.getMessage()).build();
    }

    /** The body could not be read (the client went away, a chunked body went over the limit): a 400, not a 500. */
    @ServerExceptionMapper
    public Response unreadableBody(IOException e, HttpServerRequest request) {
        LOG.debugf("Request body could not be read: %s", e.getMessage());
        if (request.response().ended()) {
            // the HTTP layer has answered already (a streamed body over the limit: 413, connection closed);
            // an answer without a body is not written again, where a JSON one would fail as a second write
            return Response.status(413).build();
        }
        return json(400, "invalid_request", "The request body could not be read.").build();
    }

    @ServerExceptionMapper
    public Response webApplicationException(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e instanceof NotSupportedException) {
            return json(400, "invalid_request", "Unsupported Content-Type for this endpoint.").build();
        }
        if (e instanceof NotAllowedException) {
            Response.ResponseBuilder response = json(405, "method_not_allowed", "Method not allowed on this resource.");
            String allow = e.getResponse().getHeaderString("Allow");
            if (allow != null) {
                response.header("Allow", allow);
            }
            return response.build();
        }
        if (e instanceof NotAcceptableException) {
            return json(406, "not_acceptable", "This resource answers in JSON only.").build();
        }
        if (status == 404) {
            return json(404, "not_found", "No such resource.").build();
        }
        if (status >= 400 && status < 500) {
            return json(status, "invalid_request", "The request could not be processed.").build();
        }
        return unexpected(e);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("Unexpected failure while serving a request", e);
        return json(500, "server_error", "An internal error occurred.").build();
    }

    static Response.ResponseBuilder json(int status, String error, String description) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(error, description).toJson());
    }
}
