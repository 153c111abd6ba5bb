package io.latchkey.session;

import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.user.Usernames;

/**
 * Counts failed logins per (username, client address) and refuses the pair for a while once the limit is
 * reached. Unknown usernames count exactly like known ones, so a refusal reveals nothing about accounts.
 * Memory is bounded: at most {@code maxTracked} pairs, least recently written dropped first.
 */
@ApplicationScoped
public class LoginThrottle {

    private record Failures(int count, long lockedUntilNanos) {
    }

    @Inject
    LatchkeyConfig config;

    private Cache<String, Failures> failures;

    @PostConstruct
    void create() {
        failures = Caffeine.newBuilder()
                .maximumSize(config.throttle().maxTracked())
                .expireAfterWrite(config.throttle().lockout())
                .build();
    }

    /**
     * Counts a login attempt for the pair before its password is checked, or refuses it: returns how long the
     * pair is still refused. Counting first, atomically, keeps parallel guesses within the limit (checking
     * first and counting after the slow hash would let a burst through); a success then clears the count.
     */
    public Optional<Duration> attempt(String username, String address) {
        int max = config.throttle().maxFailures();
        long lockoutNanos = config.throttle().lockout().toNanos();
        Duration[] refused = {null};
        failures.asMap().compute(key(username, address), (k, previous) -> {
            long now = System.nanoTime();
            if (previous != null && previous.lockedUntilNanos != 0) {
                long remaining = previous.lockedUntilNanos - now;
                if (remaining > 0) {
                    refused[0] = Duration.ofNanos(remaining);
                    return previous;
                }
                previous = null; // the lockout is over: count afresh
            }
            int count = previous == null ? 1 : previous.count + 1;
            return new Failures(count, count >= max ? now + lockoutNanos : 0);
        });
        return Optional.ofNullable(refused[0]);
    }

    public void succeeded(String username, String address) {
        failures.invalidate(key(username, address));
    }

    /** How many pairs are remembered now (the memory bound). */
    long trackedPairs() {
        failures.cleanUp();
        return failures.estimatedSize();
    }

    private static String key(String username, String address) {
        return Usernames.fold(username) + '\u0000' + address;
    }
}
