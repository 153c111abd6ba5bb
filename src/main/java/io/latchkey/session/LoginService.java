package io.latchkey.session;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.latchkey.error.Refusal;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyForSigning;
import io.latchkey.key.UnusableKeyException;
import io.latchkey.ops.AuditLog;
import io.latchkey.ops.LatchkeyMetrics;
import io.latchkey.token.IssuedToken;
import io.latchkey.token.Revocations;
import io.latchkey.token.TokenIssuer;
import io.latchkey.token.VerifiedToken;
import io.latchkey.user.UserService;

/** Logging in and out: throttling, the password check, issuing the token, and the audit trail of each. */
@ApplicationScoped
public class LoginService {

    private static final Logger LOG = Logger.getLogger(LoginService.class);

    /** The token and the key it was signed with (naming the user as the database has them). */
    public record LoginResult(ActiveKey key, IssuedToken token) {
    }

    @Inject
    LoginThrottle throttle;
    @Inject
    UserService users;
    @Inject
    TokenIssuer issuer;
    @Inject
    Revocations revocations;
    @Inject
    AuditLog audit;
    @Inject
    Sessions sessions;
    @Inject
    LatchkeyMetrics metrics;

    LoginResult login(LoginCredentials credentials, String address, String userAgent) {
        long started = System.nanoTime();
        try {
            Optional<Duration> refused = throttle.attempt(credentials.username(), address);
            if (refused.isPresent()) {
                metrics.loginThrottled();
                audit.record("login", "throttled", credentials.username(), null, address);
                throw Refusal.tooManyAttempts(refused.get());
            }
            Optional<KeyForSigning> key;
            try {
                key = users.authenticate(credentials.username(), credentials.password());
            } catch (UnusableKeyException e) {
                throw e.refusal();
            }
            Optional<LoginResult> result = key.flatMap(signing -> issue(signing, credentials, address, userAgent));
            if (result.isEmpty()) {
                metrics.loginFailed();
                audit.record("login", "invalid_credentials", credentials.username(), null, address);
                throw Refusal.invalidCredentials();
            }
            ActiveKey signing = result.get().key();
            metrics.loginSucceeded();
            audit.record("login", "success", signing.username(), signing.userId().toString(), address);
            return result.get();
        } finally {
            metrics.loginTook(System.nanoTime() - started);
        }
    }

    /**
     * Signs the token and records its session with the throttle's success, in one statement; empty, and nothing
     * written, when the key is no longer current or the user no longer enabled (changed during the hash).
     */
    private Optional<LoginResult> issue(KeyForSigning key, LoginCredentials credentials, String address,
            String userAgent) {
        ActiveKey signing = key.key();
        IssuedToken token = issuer.issue(signing.userId(), signing.username(), signing.roles(), key);
        boolean recorded = sessions.record(signing, token, address, userAgent,
                throttle.succeeded(credentials.username(), address));
        return recorded ? Optional.of(new LoginResult(signing, token)) : Optional.empty();
    }

    /**
     * Revokes the token until it would have expired; a no-op for an absent or invalid token. Refused (503)
     * when the revocation cannot be stored.
     */
    void logout(Optional<VerifiedToken> token, String address) {
        if (token.isEmpty()) {
            audit.record("logout", "no_valid_token", null, null, address);
            return;
        }
        VerifiedToken t = token.get();
        try {
            revocations.revoke(t.jti(), t.userId(), t.expiresAt());
        } catch (RuntimeException e) {
            // fail closed: a 204 would tell the user their token is dead while it still works
            LOG.warnf("Revoking a token at logout failed (%s)", e.getClass().getSimpleName());
            audit.record("logout", "revocation_failed", t.username(), t.userId().toString(), address);
            throw Refusal.temporarilyUnavailable(
                    "The logout could not be stored; the token is still valid. Retry shortly.", Duration.ofSeconds(1));
        }
        metrics.tokenRevoked();
        audit.record("logout", "success", t.username(), t.userId().toString(), address);
    }
}
