package io.latchkey.cluster;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Counts the times the caches were declared stale (the periodic safety net, a re-established change feed), before
 * and after the caches have handled it: a test that counts database connections retries when one overlapped.
 */
@Singleton
public class CacheRefreshes {

    private final AtomicLong started = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();

    void onStart(@Observes @Priority(Integer.MIN_VALUE) CachesStale stale) {
        started.incrementAndGet();
    }

    void onFinish(@Observes @Priority(Integer.MAX_VALUE) CachesStale stale) {
        finished.incrementAndGet();
    }

    /** Refreshes started so far; unchanged across a measurement and equal to {@link #finished} = none overlapped. */
    public long started() {
        return started.get();
    }

    public long finished() {
        return finished.get();
    }

    /** Runs {@code measurement} until no refresh ran during it (at most three times); its last result otherwise fails. */
    public <T> T withoutOverlap(java.util.function.Supplier<T> measurement) {
        for (int attempt = 0; attempt < 3; attempt++) {
            long before = started();
            boolean idle = before == finished();
            T result = measurement.get();
            if (idle && started() == before) {
                return result;
            }
        }
        throw new AssertionError("a cache refresh overlapped every attempt");
    }
}
