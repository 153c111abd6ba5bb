package io.latchkey.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.NotInMemory;
import io.latchkey.cluster.RetryFailedReads;
import io.latchkey.cluster.TestChangeLog;
import io.latchkey.cluster.TestFeed;
import io.latchkey.common.TestTransactions;
import io.latchkey.config.TestConfig;
import io.latchkey.config.TestDatabase;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;

/**
 * Revoked token ids on a real PostgreSQL ({@link TestDatabase}) and in memory: what a revocation stores and logs,
 * when a check is answered from memory and when it asks the database, and what a re-read keeps and forgets.
 * Plain JUnit, each test with its own token ids; the default lifetime (1 h) and clock skew (30 s).
 */
@Tag("plain")
class RevocationsTest {

    private static final Duration SKEW = Duration.ofSeconds(30);

    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final EntityManager entityManager = TestDatabase.entityManagers().createEntityManager();
    private final TestTransactions transactions = new TestTransactions(entityManager);
    private final TestFeed feed = new TestFeed();
    private final TestChangeLog changes = new TestChangeLog(entityManager, transactions);
    private final Revocations revocations = TestRevocations.over(entityManager, transactions, changes, feed,
            TestConfig.defaults(), clock);

    RevocationsTest() {
        changes.applyingTo(revocations::onChange);
    }

    @AfterEach
    void close() {
        entityManager.close();
    }

    @Test
    void aRevocationIsStoredUntilTheTokensExpiryAndLogged() {
        // given
        String jti = uniqueJti();
        UUID user = UUID.randomUUID();
        long expiresAt = now() + 600;

        // when
        revocations.revoke(jti, user, expiresAt);

        // then
        assertEquals(List.of(List.of(Instant.ofEpochSecond(expiresAt))), TestDatabase.rows(
                "SELECT expires_at FROM revoked_tokens WHERE jti = ?", jti));
        assertEquals(List.of(List.of("token.revoked", user, expiresAt)), TestDatabase.rows(
                "SELECT kind, user_id, expires_at FROM change_log WHERE jti = ?", jti));
    }

    @Test
    void aRevocationHoldsHereBeforeRevokeReturnsWithoutAskingTheDatabase() {
        // given
        String jti = uniqueJti();

        // when
        revocations.revoke(jti, UUID.randomUUID(), now() + 600);

        // then: on the I/O thread, where asking the database is refused
        feed.ioThread = true;
        assertTrue(revocations.isRevoked(jti));
    }

    @Test
    void anExpiredRevocationIsForgottenFromMemoryWhenTheNextOneArrivesAMinuteLaterWithoutARefresh() {
        // given: the set read once; a revocation whose token expires in 10 s
        revocations.onStale(new CachesStale());
        String expiring = uniqueJti();
        revocations.revoke(expiring, UUID.randomUUID(), now() + 10);

        // when: past its expiry and the skew, and a minute since the last sweep, another revocation arrives
        clock.advance(Duration.ofSeconds(10).plus(SKEW).plusMinutes(1).plusSeconds(1));
        String next = uniqueJti();
        revocations.revoke(next, UUID.randomUUID(), now() + 600);

        // then: answered from memory alone (the I/O thread), the expired one is gone, the new one held
        feed.ioThread = true;
        assertFalse(revocations.isRevoked(expiring));
        assertTrue(revocations.isRevoked(next));
    }

    @Test
    void revokingATokenTwiceKeepsOneRevocation() {
        // given
        String jti = uniqueJti();
        revocations.revoke(jti, UUID.randomUUID(), now() + 600);

        // when
        revocations.revoke(jti, UUID.randomUUID(), now() + 600);

        // then
        assertEquals(1, TestDatabase.rows("SELECT jti FROM revoked_tokens WHERE jti = ?", jti).size());
    }

    @Test
    void whileTheDatabaseIsUnreachableARevocationIsRefusedAtOnce() {
        // given
        String jti = uniqueJti();
        feed.reachable = false;

        // when
        Refusal refused = assertThrows(Refusal.class, () -> revocations.revoke(jti, UUID.randomUUID(), now() + 600));

        // then
        assertEquals(ErrorCode.TEMPORARILY_UNAVAILABLE, refused.code());
        assertEquals(Optional.of(Duration.ofSeconds(1)), refused.retryAfter());
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM revoked_tokens WHERE jti = ?", jti));
    }

    @Test
    void beforeTheFirstReadEveryCheckAsksTheDatabase() {
        // given: revoked by another instance, its change not seen here
        String revoked = revokedElsewhere(now() + 600);

        // then
        assertTrue(revocations.isRevoked(revoked));
        assertFalse(revocations.isRevoked(uniqueJti()));
        feed.ioThread = true;
        assertThrows(NotInMemory.class, () -> revocations.isRevoked(uniqueJti()));
    }

    @Test
    void onceReadAndWhileTheLeaseHoldsAnUnknownTokenIsNotRevokedWithoutAskingTheDatabase() {
        // given
        revocations.onStale(new CachesStale());

        // when
        feed.ioThread = true;

        // then
        assertFalse(revocations.isRevoked(uniqueJti()));
    }

    @Test
    void whenTheLeaseLapsesChecksAskTheDatabaseAgain() {
        // given
        revocations.onStale(new CachesStale());
        String revoked = revokedElsewhere(now() + 600);

        // when
        feed.trusted = false;

        // then
        assertTrue(revocations.isRevoked(revoked));
    }

    @Test
    void aReadLoadsTheRevocationsThatStillMatter() {
        // given: one live, one exactly at the horizon (expiry plus skew is now), one past it
        String live = revokedElsewhere(now() + 1800);
        String atHorizon = revokedElsewhere(now() - SKEW.toSeconds());
        String past = revokedElsewhere(now() - SKEW.toSeconds() - 1);

        // when
        revocations.onStale(new CachesStale());

        // then: from memory alone
        feed.ioThread = true;
        assertTrue(revocations.isRevoked(live));
        assertTrue(revocations.isRevoked(atHorizon));
        assertFalse(revocations.isRevoked(past));
    }

    @Test
    void aReadDeletesRevocationsAnHourPastTheHorizon() {
        // given
        long horizon = now() - SKEW.toSeconds();
        String recent = revokedElsewhere(horizon - 3600);
        String old = revokedElsewhere(horizon - 3601);

        // when
        revocations.onStale(new CachesStale());

        // then
        assertEquals(1, TestDatabase.rows("SELECT jti FROM revoked_tokens WHERE jti = ?", recent).size());
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM revoked_tokens WHERE jti = ?", old));
    }

    @Test
    void aReadForgetsInMemoryRevocationsOnceTheirTokensCannotPass() {
        // given: a revocation applied here until now + 10 s
        revocations.onStale(new CachesStale());
        String jti = uniqueJti();
        revocations.onChange(Change.tokenRevoked(jti, UUID.randomUUID(), now() + 10));

        // when: the horizon reaches its expiry
        clock.advance(SKEW.plusSeconds(10));

        // then: kept by a re-read then, forgotten by one a second later
        assertEquals(List.of(true, false), revokedAfterRereadNowAndASecondLater(jti));
    }

    @Test
    void aRevocationNamingAFarFutureIsKeptOnlyAsLongAsAnyTokenLives() {
        // given: a logged change that claims the year 2100
        revocations.onStale(new CachesStale());
        String jti = uniqueJti();
        revocations.onChange(Change.tokenRevoked(jti, UUID.randomUUID(), Instant.parse("2100-01-01T00:00:00Z")
                .getEpochSecond()));

        // when: the longest a token lives (1 h) plus the skew, and the horizon's skew, have passed
        clock.advance(Duration.ofHours(1).plus(SKEW).plus(SKEW));

        // then: kept by a re-read then, forgotten by one a second later
        assertEquals(List.of(true, false), revokedAfterRereadNowAndASecondLater(jti));
    }

    @Test
    void changesOfOtherKindsOrWithoutATokenIdRevokeNothing() {
        // given
        revocations.onStale(new CachesStale());
        feed.ioThread = true;

        // when
        revocations.onChange(new Change(1, Change.Kind.TOKEN_REVOKED, UUID.randomUUID(), null, null, null, now() + 60));
        revocations.onChange(new Change(2, Change.Kind.KEY_RETIRED, UUID.randomUUID(), "a-kid", "a-jti", null,
                now() + 60));

        // then
        assertFalse(revocations.isRevoked("a-jti"));
    }

    @Test
    void whenARereadFailsChecksAskTheDatabaseUntilOneSucceeds() {
        // given: read once, then a re-read that fails
        readOnceThenFailARereread();

        // when
        String revoked = revokedElsewhere(now() + 600);

        // then
        assertTrue(revocations.isRevoked(revoked));
        revocations.onStale(new CachesStale());
        feed.ioThread = true;
        assertFalse(revocations.isRevoked(uniqueJti()), "complete again: answered from memory");
    }

    @Test
    void aFailedRereadIsRetriedAtTheNextTickNotAtTheNextRefresh() {
        // given: read once, then a re-read that fails
        readOnceThenFailARereread();
        String revoked = revokedElsewhere(now() + 600);

        // when
        revocations.onRetry(new RetryFailedReads());

        // then: complete again, answered from memory, with what was revoked meanwhile
        feed.ioThread = true;
        assertTrue(revocations.isRevoked(revoked));
        assertFalse(revocations.isRevoked(uniqueJti()));
    }

    private void readOnceThenFailARereread() {
        revocations.onStale(new CachesStale());
        EntityManager closed = TestDatabase.entityManagers().createEntityManager();
        closed.close();
        revocations.entityManager = closed;
        revocations.transactions = new TestTransactions(closed);
        revocations.onStale(new CachesStale());
        revocations.entityManager = entityManager;
        revocations.transactions = transactions;
    }

    /** Whether {@code jti} is revoked, from memory alone, after a re-read now and after one a second later. */
    private List<Boolean> revokedAfterRereadNowAndASecondLater(String jti) {
        revocations.onStale(new CachesStale());
        feed.ioThread = true;
        boolean now = revocations.isRevoked(jti);
        clock.advance(Duration.ofSeconds(1));
        revocations.onStale(new CachesStale());
        return List.of(now, revocations.isRevoked(jti));
    }

    /** A token id revoked in the database until {@code expiresAt}, by an instance whose change was not seen here. */
    private static String revokedElsewhere(long expiresAt) {
        String jti = uniqueJti();
        TestDatabase.update("INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)", jti,
                Instant.ofEpochSecond(expiresAt));
        return jti;
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    private static String uniqueJti() {
        return UUID.randomUUID().toString();
    }
}
