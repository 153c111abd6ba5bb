package io.latchkey.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.inject.Vetoed;

import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.TestConfig;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyForSigning;
import io.latchkey.ops.AuditLog;
import io.latchkey.ops.LatchkeyMetrics;
import io.latchkey.token.IssuedToken;
import io.latchkey.token.Revocations;
import io.latchkey.token.TestIssuer;
import io.latchkey.token.VerifiedToken;
import io.latchkey.user.UserService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The order of a login (throttle, password, key still current, token, session, metrics, audit) and of a logout,
 * with the service's own issuer and stand-ins that record what they were asked. Plain JUnit.
 */
@Tag("plain")
class LoginServiceTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String ADDRESS = "192.0.2.9";

    private final ActiveKey key = new ActiveKey(UUID.randomUUID().toString(), UUID.randomUUID(), "alice",
            List.of("reader"), KeyAlgorithm.HS256, new SecretKeySpec(new byte[32], "HmacSHA256"));
    private final RecordingThrottle throttle = new RecordingThrottle();
    private final PasswordCheck users = new PasswordCheck();
    private final RecordingRevocations revocations = new RecordingRevocations();
    private final RecordingAudit audit = new RecordingAudit();
    private final RecordingSessions sessions = new RecordingSessions();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final LoginService logins = new LoginService();

    LoginServiceTest() {
        logins.throttle = throttle;
        logins.users = users;
        logins.issuer = TestIssuer.of(TestConfig.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));
        logins.revocations = revocations;
        logins.audit = audit;
        logins.sessions = sessions;
        logins.metrics = new LatchkeyMetrics(registry);
        users.passwords.put("alice", "right-password");
        users.keys.put("alice", key);
    }

    @Test
    void rightPasswordGetsATokenSignedWithTheUsersCurrentKey() throws Exception {
        // when
        LoginService.LoginResult result = logins.login(new LoginCredentials("alice", "right-password"), ADDRESS, "ua");

        // then
        assertSame(key, result.key());
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(result.token().token());
        jws.setKey(key.verificationKey());
        assertTrue(jws.verifySignature());
        JwtClaims claims = JwtClaims.parse(jws.getPayload());
        assertEquals(key.userId().toString(), claims.getSubject());
        assertEquals(NOW.getEpochSecond(), claims.getIssuedAt().getValue());
    }

    @Test
    void successIsRecordedEverywhere() {
        // when
        IssuedToken token = logins.login(new LoginCredentials("alice", "right-password"), ADDRESS, "ua").token();

        // then
        assertEquals(List.of("attempt alice " + ADDRESS, "succeeded alice " + ADDRESS), throttle.calls);
        // the throttle's success rides in the session's statement
        assertEquals(List.of(key.kid() + " " + token.jti() + " " + ADDRESS + " ua with succeeded AS (SELECT 1)"),
                sessions.recorded);
        assertEquals(List.of("login success alice " + key.userId() + " " + ADDRESS), audit.lines);
        assertEquals(1, logins("success"));
        assertEquals(1, registry.get("latchkey.login.duration").timer().count());
        assertTrue(registry.get("latchkey.login.duration").timer().totalTime(TimeUnit.SECONDS) < 60,
                "the time the login took, not a timestamp");
    }

    @Test
    void wrongPasswordIsRefusedAsInvalidCredentials() {
        // when
        Refusal refusal = assertThrows(Refusal.class,
                () -> logins.login(new LoginCredentials("alice", "wrong-password"), ADDRESS, "ua"));

        // then: counted by the throttle (not taken back), no session
        assertEquals(ErrorCode.INVALID_CREDENTIALS, refusal.code());
        assertEquals(List.of("attempt alice " + ADDRESS), throttle.calls);
        assertTrue(sessions.recorded.isEmpty());
        assertEquals(List.of("login invalid_credentials alice null " + ADDRESS), audit.lines);
        assertEquals(1, logins("invalid_credentials"));
        assertEquals(1, registry.get("latchkey.login.duration").timer().count());
    }

    @Test
    void keyRetiredDuringThePasswordCheckIsRefusedAsInvalidCredentials() {
        // given: the password matched for a key that is no longer current when the session is to be recorded
        sessions.keyStillCurrent = false;

        // when
        Refusal refusal = assertThrows(Refusal.class,
                () -> logins.login(new LoginCredentials("alice", "right-password"), ADDRESS, "ua"));

        // then: a failure like a wrong password (the throttle's success was guarded by the record, so not written)
        assertEquals(ErrorCode.INVALID_CREDENTIALS, refusal.code());
        assertEquals(List.of("login invalid_credentials alice null " + ADDRESS), audit.lines);
        assertEquals(1, logins("invalid_credentials"));
        assertEquals(0, logins("success"));
    }

    @Test
    void throttledLoginIsRefusedBeforeThePasswordIsChecked() {
        // given
        throttle.refusal = Optional.of(Duration.ofSeconds(42));

        // when
        Refusal refusal = assertThrows(Refusal.class,
                () -> logins.login(new LoginCredentials("alice", "right-password"), ADDRESS, "ua"));

        // then
        assertEquals(ErrorCode.TOO_MANY_ATTEMPTS, refusal.code());
        assertEquals(Optional.of(Duration.ofSeconds(42)), refusal.retryAfter());
        assertEquals(0, users.checks);
        assertEquals(List.of("login throttled alice null " + ADDRESS), audit.lines);
        assertEquals(1, logins("throttled"));
    }

    @Test
    void logoutRevokesTheTokenUntilItExpires() {
        // given
        VerifiedToken token = verified();

        // when
        logins.logout(Optional.of(token), ADDRESS);

        // then
        assertEquals(List.of(token.jti() + " " + token.expiresAt()), revocations.revoked);
        assertEquals(List.of("logout success alice " + key.userId() + " " + ADDRESS), audit.lines);
        assertEquals(1, registry.get("latchkey.revocations").tag("reason", "logout").counter().count());
    }

    @Test
    void logoutWithoutAValidTokenRevokesNothing() {
        logins.logout(Optional.empty(), ADDRESS);

        assertTrue(revocations.revoked.isEmpty());
        assertEquals(List.of("logout no_valid_token null null " + ADDRESS), audit.lines);
    }

    @Test
    void logoutThatCannotBeStoredIsRefusedAsUnavailable() {
        // given
        revocations.failing = true;

        // when
        Refusal refusal = assertThrows(Refusal.class, () -> logins.logout(Optional.of(verified()), ADDRESS));

        // then: the caller learns the token still works
        assertEquals(ErrorCode.TEMPORARILY_UNAVAILABLE, refusal.code());
        assertEquals(Optional.of(Duration.ofSeconds(1)), refusal.retryAfter());
        assertEquals(List.of("logout revocation_failed alice " + key.userId() + " " + ADDRESS), audit.lines);
        assertEquals(0, registry.get("latchkey.revocations").tag("reason", "logout").counter().count());
    }

    private VerifiedToken verified() {
        return new VerifiedToken(UUID.randomUUID().toString(), key.userId(), "alice", key.roles(), "issuer",
                List.of("latchkey"), NOW.getEpochSecond() + 3600, NOW.getEpochSecond(), NOW.getEpochSecond(), key.kid());
    }

    private double logins(String outcome) {
        return registry.get("latchkey.logins").tag("outcome", outcome).counter().count();
    }

    @Vetoed
    static final class RecordingThrottle extends LoginThrottle {
        final List<String> calls = new ArrayList<>();
        Optional<Duration> refusal = Optional.empty();

        @Override
        public Optional<Duration> attempt(String username, String address) {
            calls.add("attempt " + username + " " + address);
            return refusal;
        }

        @Override
        WriteSteps succeeded(String username, String address) {
            calls.add("succeeded " + username + " " + address);
            return WriteSteps.of("succeeded AS (SELECT 1)");
        }
    }

    /** Passwords and current keys by username, standing in for the users and signing_keys tables. */
    @Vetoed
    static final class PasswordCheck extends UserService {
        final Map<String, String> passwords = new java.util.HashMap<>();
        final Map<String, ActiveKey> keys = new java.util.HashMap<>();
        int checks;

        @Override
        public Optional<KeyForSigning> authenticate(String rawUsername, String password) {
            checks++;
            return Optional.ofNullable(keys.get(rawUsername)).filter(key -> password.equals(passwords.get(rawUsername)))
                    .map(key -> new KeyForSigning(key, key.verificationKey()));
        }
    }

    @Vetoed
    static final class RecordingRevocations extends Revocations {
        final List<String> revoked = new ArrayList<>();
        boolean failing;

        @Override
        public void revoke(String jti, UUID userId, long expiresAt) {
            if (failing) {
                throw new IllegalStateException("database away");
            }
            revoked.add(jti + " " + expiresAt);
        }
    }

    @Vetoed
    static final class RecordingAudit extends AuditLog {
        final List<String> lines = new ArrayList<>();

        @Override
        public void record(String event, String outcome, String actor, String subject, String address) {
            lines.add(String.join(" ", event, outcome, String.valueOf(actor), String.valueOf(subject), address));
        }
    }

    @Vetoed
    static final class RecordingSessions extends Sessions {
        final List<String> recorded = new ArrayList<>();
        boolean keyStillCurrent = true;

        @Override
        boolean record(ActiveKey key, IssuedToken token, String address, String userAgent, WriteSteps alsoWrite) {
            if (keyStillCurrent) {
                recorded.add(key.kid() + " " + token.jti() + " " + address + " " + userAgent + " with " + alsoWrite.steps());
            }
            return keyStillCurrent;
        }
    }
}
