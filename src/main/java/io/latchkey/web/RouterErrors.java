package io.latchkey.web;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON errors for what never reaches a resource: unknown routes, and requests the HTTP layer refuses
 * (a body over the size limit, a malformed request).
 */
public class RouterErrors {

    /** Quarkus refuses a declared body over the limit at route order -2, with an empty 413: answer it first. */
    private static final int BEFORE_BODY_LIMIT = -3;
    /**
     * The largest header block and request line served. The HTTP codec's own limits (application.properties) are
     * twice these: its refusal is an empty 431 or 414 with no hook to change it, so between the two the service
     * answers itself, with its JSON error.
     */
    static final int MAX_HEADER_BYTES = 32 * 1024;
    static final int MAX_REQUEST_LINE = 16 * 1024;
    /** Bytes of a refused body read and dropped before the connection is closed instead. */
    private static final long MAX_DISCARDED = 8L * 1024 * 1024;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(RouterErrors::failure);
        router.route().order(Integer.MIN_VALUE).handler(RouterErrors::refuseOversizedHead);
        Optional<MemorySize> maxBodySize = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class);
        maxBodySize.ifPresent(limit -> router.route().order(BEFORE_BODY_LIMIT)
                .handler(ctx -> limitBody(ctx, limit.asLongValue())));
        router.route().order(Integer.MAX_VALUE).handler(ctx -> write(ctx, 404, "not_found", "No such resource."));
    }

    private static void refuseOversizedHead(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.method().name().length() + request.uri().length() + " HTTP/1.1".length() + 1 > MAX_REQUEST_LINE) {
            discardBody(ctx, 0);
            write(ctx, 414, "invalid_request", "The request line is longer than this service accepts.");
            return;
        }
        if (headerBytes(request.headers()) > MAX_HEADER_BYTES) {
            discardBody(ctx, 0);
            write(ctx, 431, "invalid_request", "The request headers are larger than this service accepts.");
            return;
        }
        ctx.next();
    }

    /** The header block's size; on Vert.x's own map without turning every name and value into a String. */
    private static int headerBytes(MultiMap headers) {
        int bytes = 0;
        if (headers instanceof HeadersMultiMap own) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = own.iteratorCharSequence(); it.hasNext();) {
                Map.Entry<CharSequence, CharSequence> header = it.next();
                bytes += header.getKey().length() + header.getValue().length() + ": \r\n".length();
            }
            return bytes;
        }
        for (var header : headers) {
            bytes += header.getKey().length() + header.getValue().length() + ": \r\n".length();
        }
        return bytes;
    }

    private static void limitBody(RoutingContext ctx, long limit) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            if (declared(length) <= limit) {
                ctx.next();
            } else {
                discardBody(ctx, 0);
                write(ctx, 413, "invalid_request", "The request is larger than this service accepts.");
            }
        } else if (ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            readStreamedBody(ctx, limit);
        } else {
            ctx.next();
        }
    }

    /**
     * A streamed (chunked) body is read here, up to the limit, and handed on as the routing context's body (RESTEasy
     * reads that instead of the request). Over the limit it gets the JSON 413 while the rest is discarded: otherwise
     * RESTEasy's own reader answers an empty 413 and closes the connection under a client that is still sending,
     * which then often sees no answer at all.
     */
    private static void readStreamedBody(RoutingContext ctx, long limit) {
        Buffer body = Buffer.buffer();
        ctx.request().handler(chunk -> {
            if (body.length() + chunk.length() <= limit) {
                body.appendBuffer(chunk);
            } else {
                discardBody(ctx, body.length() + chunk.length());
                write(ctx, 413, "invalid_request", "The request is larger than this service accepts.");
            }
        });
        ctx.request().endHandler(end -> {
            ctx.setBody(body);
            ctx.next();
        });
        ctx.request().resume();
    }

    /** Drops the rest of a refused body rather than close at once: a client still sending would lose the answer. */
    private static void discardBody(RoutingContext ctx, long alreadyRead) {
        long[] discarded = {alreadyRead};
        ctx.request().handler(chunk -> {
            discarded[0] += chunk.length();
            if (discarded[0] > MAX_DISCARDED) {
                ctx.request().connection().close();
            }
        });
        ctx.request().endHandler(null);
        ctx.request().resume();
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
