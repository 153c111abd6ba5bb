package io.latchkey.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.latchkey.config.LatchkeyConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;

/** The limiter on its own, with limits too small or too short for an HTTP test: lockout expiry and memory bound. */
class LoginThrottleTest {

    private static final String ADDRESS = "192.0.2.1";

    @Test
    void theLockoutEndsAfterItsDuration() throws InterruptedException {
        // given a pair locked for 300 ms
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "2",
                "latchkey.throttle.lockout", "PT0.3S"));
        fail(throttle, "alice", 2);
        assertTrue(throttle.attempt("alice", ADDRESS).isPresent());

        // when
        Thread.sleep(400);

        // then
        assertFalse(throttle.attempt("alice", ADDRESS).isPresent());
    }

    @Test
    void afterTheLockoutASuccessStartsTheCountAfresh() throws InterruptedException {
        // given a lockout that has ended, then a successful login
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "3",
                "latchkey.throttle.lockout", "PT0.3S"));
        fail(throttle, "bob", 3);
        Thread.sleep(400);
        throttle.succeeded("bob", ADDRESS);

        // when: failures again, one short of the limit
        fail(throttle, "bob", 2);

        // then the next attempt is let through
        assertFalse(throttle.attempt("bob", ADDRESS).isPresent());
    }

    @Test
    void sprayingUsernamesKeepsAtMostMaxTrackedPairs() throws InterruptedException {
        // given a limiter that tracks at most 100 pairs, each locked by a single failure
        int maxTracked = 100;
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "1",
                "latchkey.throttle.max-tracked", Integer.toString(maxTracked)));

        // when an attacker sprays 10,000 usernames
        int sprayed = 10_000;
        for (int i = 0; i < sprayed; i++) {
            throttle.attempt("spray-" + i, ADDRESS);
        }

        // then no more than maxTracked pairs are remembered (eviction runs in the background: give it a moment)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long remembered = throttle.trackedPairs();
        while (remembered > maxTracked && System.nanoTime() < deadline) {
            Thread.sleep(100);
            remembered = throttle.trackedPairs();
        }
        assertTrue(remembered <= maxTracked, remembered + " of " + sprayed + " pairs remembered, limit " + maxTracked);
    }

    /** {@code times} attempts that fail: each is counted when it starts. */
    private static void fail(LoginThrottle throttle, String username, int times) {
        for (int i = 0; i < times; i++) {
            assertFalse(throttle.attempt(username, ADDRESS).isPresent());
        }
    }

    @Test
    void parallelGuessesStayWithinTheLimit() throws InterruptedException {
        // given a limit of 5
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "5"));

        // when 50 guesses for one pair start at once, none finished yet
        java.util.concurrent.atomic.AtomicInteger letThrough = new java.util.concurrent.atomic.AtomicInteger();
        Thread[] guessers = new Thread[50];
        for (int i = 0; i < guessers.length; i++) {
            guessers[i] = new Thread(() -> {
                if (throttle.attempt("carol", ADDRESS).isEmpty()) {
                    letThrough.incrementAndGet();
                }
            });
            guessers[i].start();
        }
        for (Thread guesser : guessers) {
            guesser.join();
        }

        // then only 5 reach the password check
        assertTrue(letThrough.get() == 5, letThrough.get() + " guesses let through");
    }

    /** A limiter built like the application builds it, from the real config mapping and its defaults. */
    private static LoginThrottle throttle(Map<String, String> settings) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(LatchkeyConfig.class)
                .withSources(new MapBackedConfigSource("test", settings) {
                })
                .build();
        LoginThrottle throttle = new LoginThrottle();
        throttle.config = config.getConfigMapping(LatchkeyConfig.class);
        throttle.create();
        return throttle;
    }
}
