package io.latchkey.web;

import java.util.Optional;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON errors for what never reaches a resource: unknown routes, and requests the HTTP layer refuses
 * (a body over the size limit, a malformed request).
 */
public class RouterErrors {

    /** Quarkus refuses a declared body over the limit at route order -2, with an empty 413: answer it first. */
    private static final int BEFORE_BODY_LIMIT = -3;
    /** Bytes of a refused body read and dropped before the connection is closed instead. */
    private static final long MAX_DISCARDED = 8L * 1024 * 1024;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(RouterErrors::failure);
        Optional<MemorySize> maxBodySize = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class);
        maxBodySize.ifPresent(limit -> router.route().order(BEFORE_BODY_LIMIT)
                .handler(ctx -> refuseDeclaredOversizedBody(ctx, limit.asLongValue())));
        router.route().order(Integer.MAX_VALUE).handler(ctx -> write(ctx, 404, "not_found", "No such resource."));
    }

    private static void refuseDeclaredOversizedBody(RoutingContext ctx, long limit) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || declared(length) <= limit) {
            ctx.next();
            return;
        }
        // drop the rest of the body rather than close at once: a client still sending would lose the answer
        long[] discarded = {0};
        ctx.request().handler(chunk -> {
            discarded[0] += chunk.length();
            if (discarded[0] > MAX_DISCARDED) {
                ctx.request().connection().close();
            }
        });
        ctx.request().resume();
        write(ctx, 413, "invalid_request", "The request is larger than this service accepts.");
    }

    private static long declared(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            write(ctx, 413, "invalid_request", "The request is larger than this service accepts.");
        } else if (status >= 400 && status < 500) {
            write(ctx, status, "invalid_request", "The request could not be processed.");
        } else {
            ctx.next();
        }
    }

    private static void write(RoutingContext ctx, int status, String error, String description) {
        if (ctx.response().ended()) {
            return; // already answered (a body handler may fail again on a later chunk)
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new ErrorBody(error, description).toJson());
    }
}
