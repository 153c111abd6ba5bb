package io.latchkey.session;

import java.text.Normalizer;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.latchkey.config.LatchkeyConfig;

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

    /** How long the pair is still refused, if it is. */
    public Optional<Duration> refusedFor(String username, String address) {
        Failures f = failures.getIfPresent(key(username, address));
        if (f == null || f.lockedUntilNanos == 0) {
            return Optional.empty();
        }
        long remaining = f.lockedUntilNanos - System.nanoTime();
        return remaining > 0 ? Optional.of(Duration.ofNanos(remaining)) : Optional.empty();
    }

    public void failed(String username, String address) {
        int max = config.throttle().maxFailures();
        long lockoutNanos = config.throttle().lockout().toNanos();
        failures.asMap().compute(key(username, address), (k, previous) -> {
            long now = System.nanoTime();
            boolean lockOver = previous != null && previous.lockedUntilNanos != 0 && previous.lockedUntilNanos - now <= 0;
            int count = previous == null || lockOver ? 1 : previous.count + 1;
            return new Failures(count, count >= max ? now + lockoutNanos : 0);
        });
    }

    public void succeeded(String username, String address) {
        failures.invalidate(key(username, address));
    }

    private static String key(String username, String address) {
        String name = Normalizer.normalize(username, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return name + '\u0000' + address;
    }
}
