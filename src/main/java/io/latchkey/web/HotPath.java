package io.latchkey.web;

import java.util.function.Supplier;

import io.latchkey.cluster.NotInMemory;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Answers a request on the I/O thread when everything it needs is in memory (the steady state of
 * /introspect and /auth), and on a worker thread, allowed to query the database, when something is not.
 */
public final class HotPath {

    private HotPath() {
    }

    /**
     * Runs {@code answer} here, on the I/O thread; the caches throw {@link NotInMemory} there when they would need the
     * database, and then it runs again on a worker thread.
     */
    public static <T> Uni<T> answer(Supplier<T> answer) {
        try {
            return Uni.createFrom().item(answer.get());
        } catch (NotInMemory e) {
            return Uni.createFrom().item(answer)
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
    }
}
