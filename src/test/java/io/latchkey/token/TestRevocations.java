package io.latchkey.token;

import java.time.Clock;

import jakarta.persistence.EntityManager;

import io.latchkey.cluster.ChangeFeed;
import io.latchkey.cluster.ChangeLog;
import io.latchkey.common.Transactions;
import io.latchkey.config.LatchkeyConfig;

/** The service's own {@link Revocations}, built by hand over a plain test's database (what CDI would inject). */
public final class TestRevocations {

    private TestRevocations() {
    }

    public static Revocations over(EntityManager entityManager, Transactions transactions, ChangeLog changes,
            ChangeFeed feed, LatchkeyConfig config, Clock clock) {
        Revocations revocations = new Revocations();
        revocations.entityManager = entityManager;
        revocations.transactions = transactions;
        revocations.changes = changes;
        revocations.feed = feed;
        revocations.config = config;
        revocations.clock = clock;
        return revocations;
    }
}
