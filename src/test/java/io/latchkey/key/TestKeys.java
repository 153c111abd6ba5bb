package io.latchkey.key;

import java.time.Clock;
import java.util.Base64;
import java.util.Map;

import jakarta.persistence.EntityManager;

import io.latchkey.cluster.ChangeLog;
import io.latchkey.common.Transactions;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.config.TestConfig;
import io.latchkey.config.TestDatabase;
import io.latchkey.ops.LatchkeyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The service's own {@link KeyService}, built by hand over a plain test's database (what CDI would inject). */
public final class TestKeys {

    /** The master key of the plain tests' stored keys. */
    static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32});

    private TestKeys() {
    }

    static SecretCipher cipher() {
        return new SecretCipher(TestConfig.with(Map.of("latchkey.master-key", MASTER_KEY)));
    }

    public static KeyService over(EntityManager entityManager, Transactions transactions, ChangeLog changes,
            Clock clock, LatchkeyConfig config) {
        return over(entityManager, transactions, changes, clock, config, new LatchkeyMetrics(new SimpleMeterRegistry()));
    }

    static KeyService over(EntityManager entityManager, Transactions transactions, ChangeLog changes, Clock clock,
            LatchkeyConfig config, LatchkeyMetrics metrics) {
        SecretCipher cipher = cipher();
        KeyService keys = new KeyService();
        keys.entityManager = entityManager;
        keys.dataSource = TestDatabase.dataSource();
        keys.transactions = transactions;
        keys.cipher = cipher;
        keys.kids = new Kids(cipher, config, clock);
        keys.changes = changes;
        keys.metrics = metrics;
        keys.clock = clock;
        keys.config = config;
        return keys;
    }
}
