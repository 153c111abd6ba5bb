package io.latchkey.ops;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The service's own Prometheus meters; created once, so recording costs no registry look-up. */
@ApplicationScoped
public class LatchkeyMetrics {

    private final Counter loginSuccess;
    private final Counter loginFailure;
    private final Counter loginThrottled;
    private final Counter loginMalformed;
    private final Counter introspectActive;
    private final Counter introspectInactive;
    private final Counter rotations;
    private final Counter revocationsLogout;
    private final Counter revocationsUser;
    private final Timer loginTimer;
    private final Timer introspectionTimer;

    @Inject
    public LatchkeyMetrics(MeterRegistry registry) {
        loginSuccess = login(registry, "success");
        loginFailure = login(registry, "invalid_credentials");
        loginThrottled = login(registry, "throttled");
        loginMalformed = login(registry, "invalid_request");
        introspectActive = introspection(registry, "active");
        introspectInactive = introspection(registry, "inactive");
        rotations = Counter.builder("latchkey.key.rotations").description("Signing key rotations").register(registry);
        revocationsLogout = revocation(registry, "logout");
        revocationsUser = revocation(registry, "user_change");
        loginTimer = Timer.builder("latchkey.login.duration").description("Time to answer /login")
                .publishPercentileHistogram().register(registry);
        introspectionTimer = Timer.builder("latchkey.introspection.duration").description("Time to answer /introspect")
                .publishPercentileHistogram().register(registry);
    }

    private static Counter login(MeterRegistry registry, String outcome) {
        return Counter.builder("latchkey.logins").tag("outcome", outcome).description("Login attempts by outcome")
                .register(registry);
    }

    private static Counter introspection(MeterRegistry registry, String result) {
        return Counter.builder("latchkey.introspections").tag("result", result)
                .description("Introspections by result").register(registry);
    }

    private static Counter revocation(MeterRegistry registry, String reason) {
        return Counter.builder("latchkey.revocations").tag("reason", reason)
                .description("Token revocations: one token (logout) or all of a user's (user_change)").register(registry);
    }

    public void loginSucceeded() {
        loginSuccess.increment();
    }

    public void loginFailed() {
        loginFailure.increment();
    }

    public void loginThrottled() {
        loginThrottled.increment();
    }

    public void loginMalformed() {
        loginMalformed.increment();
    }

    public void introspected(boolean active) {
        (active ? introspectActive : introspectInactive).increment();
    }

    public void keyRotated() {
        rotations.increment();
    }

    public void tokenRevoked() {
        revocationsLogout.increment();
    }

    /** Disable, delete, password or role change: all of the user's tokens end. */
    public void userTokensRevoked() {
        revocationsUser.increment();
    }

    public void loginTook(long nanos) {
        loginTimer.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void introspectionTook(long nanos) {
        introspectionTimer.record(nanos, TimeUnit.NANOSECONDS);
    }
}
