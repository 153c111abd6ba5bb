package io.latchkey.web;

import java.util.Map;

/**
 * A refusal with an OAuth-style error code: the one exception every layer throws for a client's mistake.
 * {@link ErrorMapper} turns it into {@code {"error", "error_description"}} with its status and headers.
 */
public class ApiException extends RuntimeException {

    public static final String BEARER_CHALLENGE = "Bearer realm=\"latchkey\"";
    public static final String INVALID_TOKEN_CHALLENGE = "Bearer realm=\"latchkey\", error=\"invalid_token\"";
    public static final String BASIC_CHALLENGE = "Basic realm=\"latchkey\"";

    private final int status;
    private final String error;
    private final Map<String, String> headers;

    public ApiException(int status, String error, String description) {
        this(status, error, description, Map.of());
    }

    public ApiException(int status, String error, String description, Map<String, String> headers) {
        super(description, null, false, false); // no stack trace: these are expected, and frequent under attack
        this.status = status;
        this.error = error;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException invalidRequest(String description) {
        return new ApiException(400, "invalid_request", description);
    }

    public static ApiException notFound(String description) {
        return new ApiException(404, "not_found", description);
    }

    public static ApiException conflict(String description) {
        return new ApiException(409, "conflict", description);
    }

    public static ApiException forbidden(String description) {
        return new ApiException(403, "forbidden", description);
    }

    public static ApiException tokenMissing() {
        return new ApiException(401, "unauthorized", "A bearer token is required.",
                Map.of("WWW-Authenticate", BEARER_CHALLENGE));
    }

    public static ApiException tokenInvalid() {
        return new ApiException(401, "invalid_token", "The token is invalid, expired or revoked.",
                Map.of("WWW-Authenticate", INVALID_TOKEN_CHALLENGE));
    }

    public static ApiException invalidClient() {
        return new ApiException(401, "invalid_client", "Client authentication failed.",
                Map.of("WWW-Authenticate", BASIC_CHALLENGE));
    }
}
