package io.latchkey.error;

/**
 * What went wrong, by the contract's error names. Only the web layer decides how each is answered
 * (status, challenge, headers); this side says nothing of HTTP.
 */
public enum ErrorCode {
    /** The request is malformed or a value is not acceptable. */
    INVALID_REQUEST("invalid_request"),
    /** No credential was presented where a user's token is needed. */
    UNAUTHORIZED("unauthorized"),
    /** The presented token is invalid, expired, revoked, or presented in a way this call does not accept. */
    INVALID_TOKEN("invalid_token"),
    /** A client's id and secret did not authenticate it. */
    INVALID_CLIENT("invalid_client"),
    /** A login's username and password did not match an enabled user. */
    INVALID_CREDENTIALS("invalid_credentials"),
    /** A browser sent this on behalf of another site's page (login CSRF). */
    CROSS_SITE_REQUEST("cross_site_request"),
    /** The caller is known but may not do this. */
    FORBIDDEN("forbidden"),
    NOT_FOUND("not_found"),
    CONFLICT("conflict"),
    /** Too many failed logins; a retry-after says when to try again. */
    TOO_MANY_ATTEMPTS("too_many_attempts"),
    /** The service cannot answer right now (overloaded or a dependency is down); a retry-after says when to retry. */
    TEMPORARILY_UNAVAILABLE("temporarily_unavailable");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the {@code error} field of an error body. */
    public String wireName() {
        return wireName;
    }
}
