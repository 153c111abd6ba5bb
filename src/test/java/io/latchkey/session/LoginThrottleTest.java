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
        throttle.failed("alice", ADDRESS);
        throttle.failed("alice", ADDRESS);
        assertTrue(throttle.refusedFor("alice", ADDRESS).isPresent());

        // when
        Thread.sleep(400);

        // then
        assertFalse(throttle.refusedFor("alice", ADDRESS).isPresent());
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

        // then
        assertFalse(throttle.refusedFor("bob", ADDRESS).isPresent());
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
            throttle.failed("spray-" + i, ADDRESS);
        }

        // then no more than maxTracked pairs are remembered (eviction runs in the background: give it a moment)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long remembered = remembered(throttle, sprayed);
        while (remembered > maxTracked && System.nanoTime() < deadline) {
            Thread.sleep(100);
            remembered = remembered(throttle, sprayed);
        }
        assertTrue(remembered <= maxTracked, remembered + " of " + sprayed + " pairs remembered, limit " + maxTracked);
    }

    private static long remembered(LoginThrottle throttle, int sprayed) {
        long count = 0;
        for (int i = 0; i < sprayed; i++) {
            if (throttle.refusedFor("spray-" + i, ADDRESS).isPresent()) {
                count++;
            }
        }
        return count;
    }

    private static void fail(LoginThrottle throttle, String username, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(username, ADDRESS);
        }
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
