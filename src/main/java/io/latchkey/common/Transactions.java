package io.latchkey.common;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * How the service runs work in a transaction of its own, committed before the call returns (whatever transaction
 * the caller has is suspended meanwhile). Injected rather than called statically, so a plain test runs the same
 * data access in a transaction on its own database.
 */
@ApplicationScoped
public class Transactions {

    public <T> T callInNew(Supplier<T> work) {
        return QuarkusTransaction.requiringNew().call(work::get);
    }

    public void runInNew(Runnable work) {
        QuarkusTransaction.requiringNew().run(work);
    }
}
