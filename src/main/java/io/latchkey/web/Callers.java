package io.latchkey.web;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;

import io.latchkey.client.CachedClient;
import io.latchkey.client.ClientAuthenticator;
import io.latchkey.client.Permission;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;
import io.latchkey.token.InvalidTokenException;
import io.latchkey.token.TokenVerifier;
import io.latchkey.token.VerifiedToken;
import io.latchkey.user.Roles;

/** Who is calling: a user by token, an admin, or a client by HTTP Basic. Done before any operation runs. */
@ApplicationScoped
public class Callers {

    @Inject
    TokenVerifier verifier;
    @Inject
    ClientAuthenticator clients;

    /** The verified token of the request: 401 without one (RFC 6750 challenge), 401 invalid_token for a bad one. */
    public VerifiedToken user(HttpHeaders headers) {
        TokenSource.Presented presented = TokenSource.read(headers);
        if (presented instanceof TokenSource.Absent) {
            throw Refusal.tokenMissing();
        }
        return verified(presented);
    }

    /** A user holding the admin role: 401 as {@link #user}, 403 for anyone else. */
    public VerifiedToken admin(HttpHeaders headers) {
        return requireAdmin(user(headers));
    }

    /**
     * The caller of a state-changing call (administration, rotation): as {@link #user}, but the token must
     * be sent explicitly (a header), never only by the cookie a browser attaches to any same-site request.
     */
    public VerifiedToken userForChange(HttpHeaders headers) {
        if (TokenSource.read(headers) instanceof TokenSource.Found found && found.fromCookie()) {
            throw new Refusal(ErrorCode.INVALID_TOKEN, "Send the token in the Authorization header for this call.");
        }
        return user(headers);
    }

    /** An admin making a state-changing call: as {@link #admin}, with the token sent as {@link #userForChange} says. */
    public VerifiedToken adminForChange(HttpHeaders headers) {
        return requireAdmin(userForChange(headers));
    }

    /** A client authenticated with HTTP Basic: 401 invalid_client when not, 403 without {@code permission}. */
    public CachedClient client(HttpHeaders headers, Permission permission) {
        AuthorizationHeader header = AuthorizationHeader.of(headers.getRequestHeader(HttpHeaders.AUTHORIZATION));
        CachedClient client = header.basic()
                .flatMap(basic -> clients.authenticate(basic.id(), basic.secret()))
                .orElseThrow(Refusal::invalidClient);
        if (!client.permissions().contains(permission)) {
            throw Refusal.forbidden("This client lacks the '" + permission.wireName() + "' permission.");
        }
        return client;
    }

    /** The client id a request's Basic credentials claim, checked or not (for the audit of a refusal). */
    public static Optional<String> claimedClientId(HttpHeaders headers) {
        return AuthorizationHeader.of(headers.getRequestHeader(HttpHeaders.AUTHORIZATION)).basic()
                .map(BasicCredentials::id);
    }

    /** Verifies a token given in a request body (not a request credential). */
    public Optional<VerifiedToken> check(String token) {
        try {
            return Optional.of(verifier.verify(token));
        } catch (InvalidTokenException e) {
            return Optional.empty();
        }
    }

    private static VerifiedToken requireAdmin(VerifiedToken token) {
        if (!Roles.isAdmin(token.roles())) {
            throw Refusal.forbidden("This needs the admin role.");
        }
        return token;
    }

    private VerifiedToken verified(TokenSource.Presented presented) {
        if (presented instanceof TokenSource.Found found) {
            return check(found.token()).orElseThrow(Refusal::tokenInvalid);
        }
        throw Refusal.tokenInvalid();
    }
}
