package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.SecretKey;
import javax.sql.DataSource;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.cluster.TestChangeLog;
import io.latchkey.common.TestTransactions;
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.TestConfig;
import io.latchkey.config.TestDatabase;
import io.latchkey.error.ErrorCode;
import io.latchkey.ops.LatchkeyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Users' signing keys in a real PostgreSQL ({@link TestDatabase}): what a new or rotated key stores, which keys
 * load and with what, and what a stored key that does not decrypt does. Plain JUnit, each test with its own users.
 */
@Tag("plain")
class KeyServiceTest {

    /** Nanoseconds the database cannot hold: stored times are the clock's, to the microsecond. */
    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T10:00:00.123456789Z"));
    private final EntityManager entityManager = TestDatabase.entityManagers().createEntityManager();
    private final TestTransactions transactions = new TestTransactions(entityManager);
    private final TestChangeLog changes = new TestChangeLog(entityManager, transactions);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final KeyService keys = TestKeys.over(entityManager, transactions, changes, clock, TestConfig.defaults(),
            new LatchkeyMetrics(registry));
    private final AtomicLong connectionsTaken = new AtomicLong();

    @BeforeEach
    void countConnections() {
        keys.dataSource = counting(TestDatabase.dataSource());
    }

    @AfterEach
    void close() {
        entityManager.close();
    }

    @Test
    void aNewUsersFirstKeyIsStoredCurrentUnderATaggedKidAtTheClocksTime() {
        // given
        UUID user = TestDatabase.insertUser("first-key", true);

        // when
        SigningKey key = transactions.callInNew(() -> keys.createFor(user));

        // then
        Instant stored = clock.instant().truncatedTo(ChronoUnit.MICROS);
        assertEquals(List.of(List.of(user, "HS256", stored)), TestDatabase.rows(
                "SELECT user_id, algorithm, created_at FROM signing_keys WHERE kid = ? AND retired_at IS NULL"
                        + " AND public_key IS NULL", key.kid()));
        assertEquals(stored, key.createdAt());
        assertEquals(user, key.userId());
        assertEquals(KeyAlgorithm.HS256, key.algorithm());
        assertTrue(keys.kids.mayExist(key.kid()));
        assertEquals(List.of(key.kid()), keys.currentKids(user));
    }

    @Test
    void anHmacKeyLoadsWithItsUsersNameAndRolesAndA256BitSecret() {
        // given
        UUID user = TestDatabase.insertUser("hmac", true, "reader", "writer");
        String kid = transactions.callInNew(() -> keys.createFor(user)).kid();

        // when
        KeyForSigning loaded = keys.loadForSigning(kid).orElseThrow();

        // then
        ActiveKey key = loaded.key();
        assertEquals(kid, key.kid());
        assertEquals(user, key.userId());
        assertEquals(List.of("reader", "writer"), key.roles());
        assertEquals("hmac-" + user, key.username());
        assertEquals(KeyAlgorithm.HS256, key.algorithm());
        SecretKey secret = assertInstanceOf(SecretKey.class, loaded.signingKey());
        assertEquals("HmacSHA256", secret.getAlgorithm());
        assertEquals(KeyService.SECRET_BYTES, secret.getEncoded().length);
        assertArrayEquals(secret.getEncoded(), key.verificationKey().getEncoded());
        assertEquals(Optional.of(key), keys.loadActive(kid));
    }

    @Test
    void twoKeysGetDifferentSecrets() {
        // given
        UUID alice = TestDatabase.insertUser("secret-a", true);
        UUID bob = TestDatabase.insertUser("secret-b", true);

        // when
        String first = transactions.callInNew(() -> keys.createFor(alice)).kid();
        String second = transactions.callInNew(() -> keys.createFor(bob)).kid();

        // then
        assertFalse(java.util.Arrays.equals(keys.loadForSigning(first).orElseThrow().signingKey().getEncoded(),
                keys.loadForSigning(second).orElseThrow().signingKey().getEncoded()));
    }

    @Test
    void anEd25519KeyStoresItsPublicHalfAndSignsWithItsPrivateHalf() throws GeneralSecurityException {
        // given
        UUID user = TestDatabase.insertUser("ed25519", true);

        // when
        SigningKey created = transactions.callInNew(() -> keys.createFor(user, KeyAlgorithm.EdDSA));
        KeyForSigning loaded = keys.loadForSigning(created.kid()).orElseThrow();

        // then: the public half is stored in the clear, the private half signs what it verifies
        PublicKey publicKey = assertInstanceOf(PublicKey.class, loaded.key().verificationKey());
        assertEquals(List.of(List.of("EdDSA")), TestDatabase.rows(
                "SELECT algorithm FROM signing_keys WHERE kid = ? AND public_key = ?", created.kid(),
                publicKey.getEncoded()));
        assertEquals(KeyAlgorithm.EdDSA, loaded.key().algorithm());
        byte[] message = "signed".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign((java.security.PrivateKey) loaded.signingKey());
        signer.update(message);
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey);
        verifier.update(message);
        assertTrue(verifier.verify(signer.sign()));
    }

    @Test
    void rotatingRetiresTheCurrentKeyAndLogsItsRetirement() {
        // given
        UUID user = TestDatabase.insertUser("rotate", true);
        String old = transactions.callInNew(() -> keys.createFor(user)).kid();
        clock.advance(Duration.ofMinutes(5));
        Instant rotatedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);

        // when
        SigningKey fresh = transactions.callInNew(() -> keys.rotate(user));

        // then
        assertEquals(List.of(List.of(rotatedAt)), TestDatabase.rows(
                "SELECT retired_at FROM signing_keys WHERE kid = ?", old));
        assertEquals(List.of(fresh.kid()), keys.currentKids(user));
        assertEquals(rotatedAt, fresh.createdAt());
        assertEquals(KeyAlgorithm.HS256, fresh.algorithm());
        assertEquals(List.of(List.of("key.retired", old)), TestDatabase.rows(
                "SELECT kind, kid FROM change_log WHERE user_id = ?", user));
        assertEquals(1.0, registry.get("latchkey.key.rotations").counter().count());
        assertEquals(Optional.empty(), keys.loadActive(old));
        assertEquals(Optional.empty(), keys.loadForSigning(old));
        assertTrue(keys.loadActive(fresh.kid()).isPresent());
    }

    @Test
    void rotatingToAnotherAlgorithmGivesAKeyOfThatAlgorithm() {
        // given
        UUID user = TestDatabase.insertUser("rotate-ed", true);
        transactions.callInNew(() -> keys.createFor(user));

        // when
        SigningKey fresh = transactions.callInNew(() -> keys.rotate(user, KeyAlgorithm.EdDSA));

        // then
        assertEquals(KeyAlgorithm.EdDSA, fresh.algorithm());
        assertEquals(KeyAlgorithm.EdDSA, keys.findCurrentKeyOf(user).orElseThrow().algorithm());
    }

    @Test
    void aDisabledUsersKeyIsNotActiveYetIsStillTheirCurrentKey() {
        // given
        UUID user = TestDatabase.insertUser("disabled", true, "reader");
        String kid = transactions.callInNew(() -> keys.createFor(user)).kid();

        // when
        TestDatabase.update("UPDATE users SET enabled = false WHERE id = ?", user);

        // then
        assertEquals(Optional.empty(), keys.loadActive(kid));
        assertEquals(Optional.empty(), keys.loadForSigning(kid));
        ActiveKey current = keys.findCurrentKeyOf(user).orElseThrow();
        assertEquals(kid, current.kid());
        assertEquals(List.of("reader"), current.roles());
    }

    @Test
    void aUserWhoIsGoneHasNoCurrentKey() {
        // given
        UUID user = TestDatabase.insertUser("gone", true);
        transactions.callInNew(() -> keys.createFor(user));

        // when
        TestDatabase.update("DELETE FROM users WHERE id = ?", user);

        // then
        assertEquals(Optional.empty(), keys.findCurrentKeyOf(user));
        assertEquals(List.of(), keys.currentKids(user));
    }

    @Test
    void aKidThisServiceDidNotMintCostsNoQueryButOneFromTheDatabaseIsLookedUp() {
        // given: a kid of the right form whose tag is wrong
        String minted = keys.kids.mint();
        String forged = minted.substring(0, 35) + (minted.charAt(35) == '0' ? '1' : '0');
        long before = queries();

        // when / then
        assertEquals(Optional.empty(), keys.loadActive(forged));
        assertEquals(before, queries());
        assertEquals(Optional.empty(), keys.loadForSigning(forged));
        assertEquals(before + 1, queries());
    }

    @Test
    void aKeyWhoseStoredSecretWasAlteredIsUnusable() {
        // given
        UUID user = TestDatabase.insertUser("tampered", true);
        String kid = transactions.callInNew(() -> keys.createFor(user)).kid();

        // when: the last byte of the authentication tag flipped
        TestDatabase.update("UPDATE signing_keys SET secret_ciphertext = set_byte(secret_ciphertext,"
                + " length(secret_ciphertext) - 1, get_byte(secret_ciphertext, length(secret_ciphertext) - 1) # 1)"
                + " WHERE kid = ?", kid);

        // then
        UnusableKeyException unusable = assertThrows(UnusableKeyException.class, () -> keys.loadActive(kid));
        assertTrue(unusable.getMessage().contains(kid));
        assertEquals(ErrorCode.TEMPORARILY_UNAVAILABLE, unusable.refusal().code());
        assertEquals(Optional.of(Duration.ofSeconds(60)), unusable.refusal().retryAfter());
        assertThrows(UnusableKeyException.class, () -> keys.findCurrentKeyOf(user));
    }

    @Test
    void atStartTheAlgorithmsInUseAreTheConfiguredOneAndThoseOfCurrentKeys() {
        // given: one current key, Ed25519, and an instance configured for HS256
        TestDatabase.update("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL");
        UUID user = TestDatabase.insertUser("in-use", true);
        transactions.callInNew(() -> keys.createFor(user, KeyAlgorithm.EdDSA));
        KeyService starting = TestKeys.over(entityManager, transactions, changes, clock,
                TestConfig.with(Map.of("latchkey.signing-algorithm", "HS256")));

        // when
        starting.noteAlgorithmsInUse(null);

        // then
        assertEquals(Set.of(KeyAlgorithm.HS256, KeyAlgorithm.EdDSA), starting.algorithmsInUse());
    }

    @Test
    void anAlgorithmIsInUseOnceAKeyOfItIsRead() {
        // given: an instance that has not read the database at start
        UUID user = TestDatabase.insertUser("seen", true);
        String kid = transactions.callInNew(() -> keys.createFor(user, KeyAlgorithm.EdDSA)).kid();
        KeyService fresh = TestKeys.over(entityManager, transactions, changes, clock, TestConfig.defaults());
        assertEquals(Set.of(), fresh.algorithmsInUse());

        // when
        fresh.loadActive(kid);

        // then
        assertEquals(Set.of(KeyAlgorithm.EdDSA), fresh.algorithmsInUse());
    }

    @Test
    void kidsThatPredateTagsAndAreCurrentAtStartAreRecognisedWithoutSpendingTheBudget() {
        // given: a key stored under an untagged (version 4) kid, as earlier releases made them
        UUID user = TestDatabase.insertUser("untagged", true);
        String legacy = UUID.randomUUID().toString();
        byte[] ciphertext = keys.cipher.encrypt(new byte[32], new KeyBinding(legacy, user, KeyAlgorithm.HS256, null));
        TestDatabase.update("INSERT INTO signing_keys (kid, user_id, secret_ciphertext, created_at) VALUES (?, ?, ?, ?)",
                legacy, user, ciphertext, clock.instant());
        Kids kids = keys.kids;
        kids.entityManager = entityManager;
        kids.transactions = transactions;

        // when
        kids.readUntagged(null);
        for (int i = 0; i < Kids.UNTAGGED_LOOKUPS_BURST; i++) {
            kids.mayExist(UUID.randomUUID().toString());
        }

        // then
        assertFalse(kids.mayExist(UUID.randomUUID().toString()), "the budget is spent");
        assertTrue(kids.mayExist(legacy));
        assertEquals(user, keys.loadActive(legacy).orElseThrow().userId());
    }

    /** Connections taken for a read: each key read is one statement on a connection of its own. */
    private long queries() {
        return connectionsTaken.get();
    }

    /** The test database, counting the connections taken from it. */
    private DataSource counting(DataSource database) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("getConnection")) {
                        connectionsTaken.incrementAndGet();
                    }
                    try {
                        return method.invoke(database, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
