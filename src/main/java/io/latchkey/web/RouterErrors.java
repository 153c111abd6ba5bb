package io.latchkey.web;

import jakarta.enterprise.event.Observes;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON errors for what never reaches a resource: unknown routes, and requests the HTTP layer refuses
 * (a body over the size limit, a malformed request).
 */
public class RouterErrors {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(RouterErrors::failure);
        router.route().order(Integer.MAX_VALUE).handler(ctx -> write(ctx, 404, "not_found", "No such resource."));
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
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", error).put("error_description", description).encode());
    }
}
