package io.latchkey.error;

import java.time.Duration;
import java.util.Optional;

/**
 * The service refuses a request: an {@link ErrorCode}, a description safe to show the caller, and for
 * refusals that pass, how long to wait. Thrown by any layer; {@code web.ErrorMapper} alone turns it into
 * an HTTP answer.
 */
public final class Refusal extends RuntimeException {

    private final ErrorCode code;
    private final Duration retryAfter;

    public Refusal(ErrorCode code, String description) {
        this(code, description, null);
    }

    public Refusal(ErrorCode code, String description, Duration retryAfter) {
        super(description, null, false, false); // no stack trace: these are expected, and frequent under attack
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** The description shown to the caller. */
    public String description() {
        return getMessage();
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public static Refusal invalidRequest(String description) {
        return new Refusal(ErrorCode.INVALID_REQUEST, description);
    }

    public static Refusal notFound(String description) {
        return new Refusal(ErrorCode.NOT_FOUND, description);
    }

    public static Refusal conflict(String description) {
        return new Refusal(ErrorCode.CONFLICT, description);
    }

    public static Refusal forbidden(String description) {
        return new Refusal(ErrorCode.FORBIDDEN, description);
    }

    public static Refusal tokenMissing() {
        return new Refusal(ErrorCode.UNAUTHORIZED, "A bearer token is required.");
    }

    public static Refusal tokenInvalid() {
        return new Refusal(ErrorCode.INVALID_TOKEN, "The token is invalid, expired or revoked.");
    }

    public static Refusal invalidClient() {
        return new Refusal(ErrorCode.INVALID_CLIENT, "Client authentication failed.");
    }

    /** The same answer for an unknown user, a wrong password and a disabled user. */
    public static Refusal invalidCredentials() {
        return new Refusal(ErrorCode.INVALID_CREDENTIALS, "The username or password is incorrect.");
    }

    public static Refusal tooManyAttempts(Duration wait) {
        return new Refusal(ErrorCode.TOO_MANY_ATTEMPTS, "Too many failed logins; try again later.", wait);
    }

    /** A login's read or write could not reach the database: refused (fail closed), to retry in a second. */
    public static Refusal loginsUnavailable() {
        return temporarilyUnavailable("Logins are unavailable for a moment; retry shortly.", Duration.ofSeconds(1));
    }

    public static Refusal temporarilyUnavailable(String description, Duration retryAfter) {
        return new Refusal(ErrorCode.TEMPORARILY_UNAVAILABLE, description, retryAfter);
    }
}
