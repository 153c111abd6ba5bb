package io.latchkey.web;

import java.util.function.Function;

import jakarta.ws.rs.core.Response;

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

    /** {@code answer} gets {@code true} for "memory only" and throws {@link NotInMemory} when that is not enough. */
    public static Uni<Response> answer(Function<Boolean, Response> answer) {
        try {
            return Uni.createFrom().item(answer.apply(true));
        } catch (NotInMemory e) {
            return Uni.createFrom().item(() -> answer.apply(false))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
    }
}
