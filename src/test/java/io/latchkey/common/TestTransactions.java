package io.latchkey.common;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.inject.Vetoed;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityTransaction;

/**
 * {@link Transactions} for a plain test: each transaction a resource-local one on the test's {@link EntityManager}
 * (see {@code TestDatabase.entityManagers()}), its persistence context ending with it as the service's does.
 * Vetoed: a plain object, not a second bean.
 */
@Vetoed
public final class TestTransactions extends Transactions {

    private final EntityManager entityManager;
    private final List<Runnable> afterCommit = new ArrayList<>();

    public TestTransactions(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    @Override
    public <T> T callInNew(Supplier<T> work) {
        EntityTransaction transaction = entityManager.getTransaction();
        if (transaction.isActive()) {
            throw new IllegalStateException("A plain test runs one transaction at a time");
        }
        transaction.begin();
        T result;
        try {
            result = work.get();
            transaction.commit();
        } catch (RuntimeException | Error e) {
            if (transaction.isActive()) {
                transaction.rollback();
            }
            afterCommit.clear();
            throw e;
        } finally {
            entityManager.clear();
        }
        List<Runnable> committed = List.copyOf(afterCommit);
        afterCommit.clear();
        committed.forEach(Runnable::run);
        return result;
    }

    @Override
    public void runInNew(Runnable work) {
        callInNew(() -> {
            work.run();
            return null;
        });
    }

    /** Runs {@code action} once the current transaction commits (as a JTA synchronization does); never on rollback. */
    public void afterCommit(Runnable action) {
        if (!entityManager.getTransaction().isActive()) {
            throw new IllegalStateException("No transaction to wait for");
        }
        afterCommit.add(action);
    }
}
