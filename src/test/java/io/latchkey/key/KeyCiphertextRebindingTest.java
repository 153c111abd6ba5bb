package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.cluster.TestChangeLog;
import io.latchkey.common.TestTransactions;
import io.latchkey.config.TestConfig;
import io.latchkey.config.TestDatabase;

/**
 * The start-up rewrite of keys stored in the version 1 format, on a real PostgreSQL: each one that decrypts is
 * bound to its user and still signs with the same secret; one that does not is left as it was. Plain JUnit; the
 * version 1 rows of earlier tests are deleted first, so the counts are this test's own.
 */
@Tag("plain")
class KeyCiphertextRebindingTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final EntityManager entityManager = TestDatabase.entityManagers().createEntityManager();
    private final TestTransactions transactions = new TestTransactions(entityManager);
    private final KeyCiphertextRebinding rebinding = new KeyCiphertextRebinding();
    private final KeyService keys = TestKeys.over(entityManager, transactions,
            new TestChangeLog(entityManager, transactions), new TestClock(Instant.now()), TestConfig.defaults());

    KeyCiphertextRebindingTest() {
        rebinding.entityManager = entityManager;
        rebinding.transactions = transactions;
        rebinding.cipher = TestKeys.cipher();
    }

    @BeforeEach
    void deleteEarlierLegacyRows() {
        TestDatabase.update("DELETE FROM signing_keys WHERE get_byte(secret_ciphertext, 0) = 1");
    }

    @AfterEach
    void close() {
        entityManager.close();
    }

    @Test
    void aLegacyKeyIsRewrittenInTheCurrentFormatAndKeepsItsSecret() {
        // given
        byte[] secret = random(32);
        String kid = storeLegacy(TestKeys.MASTER_KEY, secret);

        // when
        int rebound = rebinding.rebindLegacyKeys();

        // then
        assertEquals(1, rebound);
        assertEquals(List.of(List.of(2)), TestDatabase.rows(
                "SELECT get_byte(secret_ciphertext, 0) FROM signing_keys WHERE kid = ?", kid));
        assertArrayEquals(secret, keys.loadForSigning(kid).orElseThrow().signingKey().getEncoded());
    }

    @Test
    void aLegacyKeyUnderAnotherMasterKeyIsLeftAsItWasWhileTheOthersAreRewritten() {
        // given
        byte[] otherMasterKey = random(32);
        String foreign = storeLegacy(Base64.getEncoder().encodeToString(otherMasterKey), random(32));
        byte[] stored = (byte[]) TestDatabase.rows("SELECT secret_ciphertext FROM signing_keys WHERE kid = ?", foreign)
                .get(0).get(0);
        String own = storeLegacy(TestKeys.MASTER_KEY, random(32));

        // when
        int rebound = rebinding.rebindLegacyKeys();

        // then
        assertEquals(1, rebound);
        assertArrayEquals(stored, (byte[]) TestDatabase.rows(
                "SELECT secret_ciphertext FROM signing_keys WHERE kid = ?", foreign).get(0).get(0));
        assertEquals(List.of(List.of(2)), TestDatabase.rows(
                "SELECT get_byte(secret_ciphertext, 0) FROM signing_keys WHERE kid = ?", own));
    }

    @Test
    void withNoLegacyKeysNothingIsRewritten() {
        assertEquals(0, rebinding.rebindLegacyKeys());
    }

    /** A current key of a new user stored as earlier releases did; returns its kid. */
    private static String storeLegacy(String masterKey, byte[] secret) {
        UUID user = TestDatabase.insertUser("legacy", true);
        String kid = UUID.randomUUID().toString();
        TestDatabase.update("INSERT INTO signing_keys (kid, user_id, secret_ciphertext, created_at) VALUES (?, ?, ?, ?)",
                kid, user, SecretCipherTest.legacyCiphertext(masterKey, secret, kid), Instant.now());
        return kid;
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return b;
    }
}
