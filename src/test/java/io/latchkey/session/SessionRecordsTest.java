package io.latchkey.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.cluster.TestChangeLog;
import io.latchkey.cluster.TestFeed;
import io.latchkey.common.TestTransactions;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.config.TestConfig;
import io.latchkey.config.TestDatabase;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;
import io.latchkey.key.ActiveKey;
import io.latchkey.key.KeyService;
import io.latchkey.key.TestKeys;
import io.latchkey.token.IssuedToken;
import io.latchkey.token.TestRevocations;

/**
 * The sessions table on a real PostgreSQL ({@link TestDatabase}): what a login records, which sessions are active
 * and in what order, pruning, and ending one. Plain JUnit, each test with its own users; the default clock skew
 * (30 s).
 */
@Tag("plain")
class SessionRecordsTest {

    private static final Duration SKEW = Duration.ofSeconds(30);
    /** A login's other writes (the throttle's), here none: a step that writes nothing. */
    private static final WriteSteps NOTHING_ELSE = WriteSteps.of("nothing_else AS (SELECT 1)");

    /** Nanoseconds the database cannot hold: issue times are the clock's, to the microsecond. */
    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T13:00:00.000001999Z"));
    private final LatchkeyConfig config = TestConfig.defaults();
    private final EntityManager entityManager = TestDatabase.entityManagers().createEntityManager();
    private final TestTransactions transactions = new TestTransactions(entityManager);
    private final TestChangeLog changes = new TestChangeLog(entityManager, transactions);
    private final KeyService keys = TestKeys.over(entityManager, transactions, changes, clock, config);
    private final Sessions sessions = new Sessions();

    SessionRecordsTest() {
        sessions.entityManager = entityManager;
        sessions.dataSource = TestDatabase.dataSource();
        sessions.revocations = TestRevocations.over(entityManager, transactions, changes, new TestFeed(), config,
                clock);
        sessions.config = config;
        sessions.clock = clock;
    }

    /**
     * Another write riding with the session's, as the throttle's does, and like it only if the session was
     * recorded: a known address for {@code username}.
     */
    private static WriteSteps knownAddress(String username) {
        return WriteSteps.of("known AS (INSERT INTO login_known_addresses (username, address, last_success)"
                + " SELECT ?, '192.0.2.9', now() WHERE " + Sessions.IF_RECORDED + ")", username);
    }

    @AfterEach
    void close() {
        entityManager.close();
    }

    @Test
    void aLoginIsRecordedWithItsKeyTimesAddressAndPrintableUserAgent() {
        // given
        ActiveKey key = keyOfNewUser("record");
        IssuedToken token = token(Duration.ofHours(1));

        // when
        boolean recorded = sessions.record(key, token, "192.0.2.1", "agent\u0007/1.0", NOTHING_ELSE);

        // then
        assertTrue(recorded);
        assertEquals(List.of(List.of(key.userId(), key.kid(), clock.instant().truncatedTo(ChronoUnit.MICROS),
                token.expiresAt(), "192.0.2.1", "agent/1.0")), TestDatabase.rows("SELECT user_id, kid, issued_at,"
                        + " expires_at, address, user_agent FROM sessions WHERE jti = ?", token.jti()));
    }

    @Test
    void aLoginThatCannotBeRecordedIsRefusedForAMoment() {
        // given: a token id already recorded
        ActiveKey key = keyOfNewUser("unrecorded");
        IssuedToken token = token(Duration.ofHours(1));
        sessions.record(key, token, "192.0.2.1", null, NOTHING_ELSE);

        // when
        Refusal refused = assertThrows(Refusal.class,
                () -> sessions.record(key, token, "192.0.2.2", null, NOTHING_ELSE));

        // then
        assertEquals(ErrorCode.TEMPORARILY_UNAVAILABLE, refused.code());
        assertEquals(Optional.of(Duration.ofSeconds(1)), refused.retryAfter());
        assertEquals(List.of(List.of("192.0.2.1")), TestDatabase.rows(
                "SELECT address FROM sessions WHERE jti = ?", token.jti()));
    }

    @Test
    void aLoginsOtherWritesCommitWithItsSession() {
        // given
        ActiveKey key = keyOfNewUser("together");
        String marker = UUID.randomUUID().toString();

        // when
        sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, knownAddress(marker));

        // then
        assertEquals(List.of(List.of("192.0.2.9")), TestDatabase.rows(
                "SELECT address FROM login_known_addresses WHERE username = ?", marker));
    }

    @Test
    void aLoginWhoseKeyWasRetiredDuringThePasswordCheckIsNotRecordedNorAreItsOtherWrites() {
        // given: the key read before the hash, then rotated (a password reset, a role change, "log out everywhere")
        ActiveKey key = keyOfNewUser("retired");
        transactions.callInNew(() -> keys.rotate(key.userId()));
        IssuedToken token = token(Duration.ofHours(1));
        String marker = UUID.randomUUID().toString();

        // when
        boolean recorded = sessions.record(key, token, "192.0.2.1", null, knownAddress(marker));

        // then
        assertFalse(recorded);
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()));
        assertEquals(List.of(), TestDatabase.rows(
                "SELECT address FROM login_known_addresses WHERE username = ?", marker));
    }

    @Test
    void aLoginWhoseUserWasDisabledDuringThePasswordCheckIsNotRecorded() {
        // given: disabled in SQL, which (unlike the API) leaves the key current
        ActiveKey key = keyOfNewUser("disabled-meanwhile");
        TestDatabase.update("UPDATE users SET enabled = false WHERE id = ?", key.userId());
        IssuedToken token = token(Duration.ofHours(1));

        // when
        boolean recorded = sessions.record(key, token, "192.0.2.1", null, NOTHING_ELSE);

        // then
        assertFalse(recorded);
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()));
    }

    @Test
    void aLoginWhoseUserWasDeletedDuringThePasswordCheckIsNotRecorded() {
        // given
        ActiveKey key = keyOfNewUser("deleted-meanwhile");
        TestDatabase.update("DELETE FROM users WHERE id = ?", key.userId());

        // when / then: refused as a changed key is, not as a database failure
        assertFalse(sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, NOTHING_ELSE));
    }

    @Test
    void aLoginThatCannotBeRecordedLeavesItsOtherWritesUndone() {
        // given: a token id already recorded
        ActiveKey key = keyOfNewUser("undone");
        IssuedToken token = token(Duration.ofHours(1));
        sessions.record(key, token, "192.0.2.1", null, NOTHING_ELSE);
        String marker = UUID.randomUUID().toString();

        // when
        assertThrows(Refusal.class, () -> sessions.record(key, token, "192.0.2.2", null, knownAddress(marker)));

        // then
        assertEquals(List.of(), TestDatabase.rows(
                "SELECT address FROM login_known_addresses WHERE username = ?", marker));
    }

    @Test
    void aLoginPrunesSessionsExpiredBeyondTheSkewThenNotAgainForAMinute() {
        // given: a session expired just beyond the skew, one expired exactly at it
        ActiveKey key = keyOfNewUser("prune");
        String beyond = storedSession(key, clock.instant().minus(SKEW).minus(Duration.ofMillis(1)));
        String atSkew = storedSession(key, clock.instant().minus(SKEW));

        // when
        sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, NOTHING_ELSE);

        // then
        assertFalse(stored(beyond));
        assertTrue(stored(atSkew));

        // and: within the minute nothing is pruned; at its end the next login prunes
        String later = storedSession(key, clock.instant().minus(SKEW).minusSeconds(1));
        clock.advance(Duration.ofSeconds(59));
        sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, NOTHING_ELSE);
        assertTrue(stored(later));
        clock.advance(Duration.ofSeconds(1));
        sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, NOTHING_ELSE);
        assertFalse(stored(later));
    }

    @Test
    void activeSessionsAreTheUnexpiredOnesNewestFirstWithTheCallersMarked() {
        // given: three logins a second apart, and one whose token has expired
        ActiveKey key = keyOfNewUser("active");
        IssuedToken first = token(Duration.ofHours(1));
        sessions.record(key, first, "192.0.2.1", "one", NOTHING_ELSE);
        clock.advance(Duration.ofSeconds(1));
        IssuedToken second = token(Duration.ofHours(1));
        sessions.record(key, second, "192.0.2.2", "two", NOTHING_ELSE);
        clock.advance(Duration.ofSeconds(1));
        IssuedToken expiring = token(Duration.ofSeconds(5));
        sessions.record(key, expiring, "192.0.2.3", null, NOTHING_ELSE);
        clock.advance(Duration.ofSeconds(5));

        // when
        List<Sessions.Session> active = sessions.active(key.userId(), first.jti());

        // then
        Instant start = Instant.parse("2026-12-03T13:00:00.000001Z");
        assertEquals(List.of(
                new Sessions.Session(second.jti(), start.plusSeconds(1), second.expiresAt(), "192.0.2.2", "two", false),
                new Sessions.Session(first.jti(), start, first.expiresAt(), "192.0.2.1", "one", true)), active);
    }

    @Test
    void sessionsOfARetiredKeyARevokedTokenOrADisabledUserAreNotActive() {
        // given
        ActiveKey rotated = keyOfNewUser("rotated");
        sessions.record(rotated, token(Duration.ofHours(1)), "192.0.2.1", null, NOTHING_ELSE);
        transactions.callInNew(() -> keys.rotate(rotated.userId()));
        ActiveKey revoked = keyOfNewUser("revoked");
        IssuedToken token = token(Duration.ofHours(1));
        sessions.record(revoked, token, "192.0.2.1", null, NOTHING_ELSE);
        TestDatabase.update("INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)", token.jti(),
                token.expiresAt());
        ActiveKey disabled = keyOfNewUser("disabled");
        sessions.record(disabled, token(Duration.ofHours(1)), "192.0.2.1", null, NOTHING_ELSE);
        TestDatabase.update("UPDATE users SET enabled = false WHERE id = ?", disabled.userId());

        // then
        assertEquals(List.of(), sessions.active(rotated.userId(), null));
        assertEquals(List.of(), sessions.active(revoked.userId(), null));
        assertEquals(List.of(), sessions.active(disabled.userId(), null));
    }

    @Test
    void endingASessionRevokesItsTokenUntilItExpires() {
        // given
        ActiveKey key = keyOfNewUser("end");
        IssuedToken token = token(Duration.ofHours(1));
        sessions.record(key, token, "192.0.2.1", null, NOTHING_ELSE);

        // when
        boolean ended = sessions.end(key.userId(), token.jti());

        // then
        assertTrue(ended);
        assertEquals(List.of(List.of(token.expiresAt())), TestDatabase.rows(
                "SELECT expires_at FROM revoked_tokens WHERE jti = ?", token.jti()));
        assertEquals(List.of(List.of("token.revoked", key.userId(), token.expiresAt().getEpochSecond())),
                TestDatabase.rows("SELECT kind, user_id, expires_at FROM change_log WHERE jti = ?", token.jti()));
        assertEquals(List.of(), sessions.active(key.userId(), null));
    }

    @Test
    void anotherUsersSessionCannotBeEnded() {
        // given
        ActiveKey owner = keyOfNewUser("owner");
        ActiveKey other = keyOfNewUser("other");
        IssuedToken token = token(Duration.ofHours(1));
        sessions.record(owner, token, "192.0.2.1", null, NOTHING_ELSE);

        // when
        boolean ended = sessions.end(other.userId(), token.jti());

        // then
        assertFalse(ended);
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM revoked_tokens WHERE jti = ?", token.jti()));
        assertEquals(1, sessions.active(owner.userId(), null).size());
    }

    private ActiveKey keyOfNewUser(String prefix) {
        UUID user = TestDatabase.insertUser(prefix, true);
        transactions.callInNew(() -> keys.createFor(user));
        return keys.findCurrentKeyOf(user).orElseThrow();
    }

    /** A token issued now, its expiry a whole second as issued tokens have. */
    private IssuedToken token(Duration lifetime) {
        return new IssuedToken("not-signed", UUID.randomUUID().toString(),
                clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(lifetime));
    }

    /** A session of {@code key} stored directly, its token expiring at {@code expiresAt}; returns its jti. */
    private static String storedSession(ActiveKey key, Instant expiresAt) {
        String jti = UUID.randomUUID().toString();
        TestDatabase.update("INSERT INTO sessions (jti, user_id, kid, issued_at, expires_at, address) VALUES"
                + " (?, ?, ?, ?, ?, '192.0.2.9')", jti, key.userId(), key.kid(), expiresAt.minusSeconds(3600), expiresAt);
        return jti;
    }

    private static boolean stored(String jti) {
        return !TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", jti).isEmpty();
    }
}
