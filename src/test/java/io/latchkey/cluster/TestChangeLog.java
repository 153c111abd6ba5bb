package io.latchkey.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import jakarta.enterprise.inject.Vetoed;
import jakarta.persistence.EntityManager;

import org.hibernate.Session;

import io.latchkey.common.TestTransactions;

/**
 * The change log as a plain test has it: each change written to the real table in the caller's transaction (which
 * must exist, as in the service), and handed after commit to the listeners the test registers, as the service
 * applies it on its own instance. Vetoed: a plain object, not a second bean.
 */
@Vetoed
public final class TestChangeLog extends ChangeLog {

    private final EntityManager entityManager;
    private final TestTransactions transactions;
    private final List<Consumer<Change>> listeners = new ArrayList<>();

    public TestChangeLog(EntityManager entityManager, TestTransactions transactions) {
        this.entityManager = entityManager;
        this.transactions = transactions;
    }

    /** Hands every change to {@code listener} once its transaction commits. */
    public TestChangeLog applyingTo(Consumer<Change> listener) {
        listeners.add(listener);
        return this;
    }

    @Override
    public Change append(Change change) {
        if (!entityManager.getTransaction().isActive()) {
            throw new IllegalStateException("A change is appended in the changing transaction");
        }
        entityManager.flush();
        Change written = entityManager.unwrap(Session.class).doReturningWork(connection -> insert(connection, change));
        transactions.afterCommit(() -> listeners.forEach(listener -> listener.accept(written)));
        return written;
    }
}
