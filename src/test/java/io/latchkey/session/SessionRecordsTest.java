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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

import org.hibernate.Session;

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
import io.latchkey.user.User;

/**
 * The sessions table on a real PostgreSQL ({@link TestDatabase}): what a login records, with the throttle's real
 * writes riding in its statement; a change of the user committed before, or in progress during, the record;
 * which sessions are active and in what order, pruning, and ending one. Plain JUnit, each test with its own users
 * and addresses; the default clock skew (30 s).
 */
@Tag("plain")
class SessionRecordsTest {

    private static final Duration SKEW = Duration.ofSeconds(30);

    /** Nanoseconds the database cannot hold: issue times are the clock's, to the microsecond. */
    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T13:00:00.000001999Z"));
    private final LatchkeyConfig config = TestConfig.defaults();
    private final EntityManager entityManager = TestDatabase.entityManagers().createEntityManager();
    private final TestTransactions transactions = new TestTransactions(entityManager);
    private final TestChangeLog changes = new TestChangeLog(entityManager, transactions);
    private final KeyService keys = TestKeys.over(entityManager, transactions, changes, clock, config);
    private final Sessions sessions = new Sessions();
    private final LoginThrottle throttle = new LoginThrottle();

    SessionRecordsTest() {
        sessions.entityManager = entityManager;
        sessions.dataSource = TestDatabase.dataSource();
        sessions.revocations = TestRevocations.over(entityManager, transactions, changes, new TestFeed(), config,
                clock);
        sessions.config = config;
        sessions.clock = clock;
        throttle.config = config;
        throttle.dataSource = TestDatabase.dataSource();
        throttle.clock = clock;
    }

    /** A login's attempt, counted by the throttle before its password check, under a name and address of its own. */
    private record Attempt(String username, String address) {
    }

    private Attempt countedAttempt() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Attempt attempt = new Attempt("login-" + UUID.randomUUID(),
                "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(1, 255));
        assertTrue(throttle.attempt(attempt.username(), attempt.address()).isEmpty());
        return attempt;
    }

    /** The throttle's writes for the success of {@code attempt}: what a login records its session with. */
    private WriteSteps success(Attempt attempt) {
        return throttle.succeeded(attempt.username(), attempt.address());
    }

    /** A success's writes, for a test about the session alone. */
    private WriteSteps anySuccess() {
        return success(countedAttempt());
    }

    /** The throttle's counts of the attempt by scope, then the addresses remembered for its user. */
    private static List<List<Object>> throttleRows(Attempt attempt) {
        String user = LoginThrottle.fold(attempt.username());
        return TestDatabase.rows("SELECT scope, count FROM login_attempts WHERE (scope = 'a' AND key = ?)"
                + " OR (scope = 'u' AND key = ?) OR (scope = 'p' AND starts_with(key, ?))"
                + " UNION ALL SELECT 'known', 0 FROM login_known_addresses WHERE username = ? AND address = ?"
                + " ORDER BY 1", attempt.address(), user, user + " ", user, attempt.address());
    }

    /** As the throttle counted the attempt: one on the address, the pair and the username, no address remembered. */
    private static List<List<Object>> countedOnce() {
        return List.of(List.of("a", 1), List.of("p", 1), List.of("u", 1));
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
        boolean recorded = sessions.record(key, token, "192.0.2.1", "agent\u0007/1.0", anySuccess());

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
        sessions.record(key, token, "192.0.2.1", null, anySuccess());

        // when
        Refusal refused = assertThrows(Refusal.class,
                () -> sessions.record(key, token, "192.0.2.2", null, anySuccess()));

        // then
        assertEquals(ErrorCode.TEMPORARILY_UNAVAILABLE, refused.code());
        assertEquals(Optional.of(Duration.ofSeconds(1)), refused.retryAfter());
        assertEquals(List.of(List.of("192.0.2.1")), TestDatabase.rows(
                "SELECT address FROM sessions WHERE jti = ?", token.jti()));
    }

    @Test
    void aLoginsThrottleWritesCommitWithItsSession() {
        // given
        ActiveKey key = keyOfNewUser("together");
        Attempt attempt = countedAttempt();

        // when
        sessions.record(key, token(Duration.ofHours(1)), attempt.address(), null, success(attempt));

        // then: the pair forgotten, the attempt taken back from the address and the username, the address known
        assertEquals(List.of(List.of("a", 0), List.of("known", 0), List.of("u", 0)), throttleRows(attempt));
    }

    @Test
    void aLoginWhoseKeyWasRetiredDuringThePasswordCheckIsNotRecordedNorAreItsThrottleWrites() {
        // given: the key read before the hash, then rotated (a password reset, a role change, "log out everywhere")
        ActiveKey key = keyOfNewUser("retired");
        Attempt attempt = countedAttempt();
        transactions.callInNew(() -> keys.rotate(key.userId()));
        IssuedToken token = token(Duration.ofHours(1));

        // when
        boolean recorded = sessions.record(key, token, attempt.address(), null, success(attempt));

        // then
        assertFalse(recorded);
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()));
        assertEquals(countedOnce(), throttleRows(attempt));
    }

    @Test
    void aLoginWhoseUserWasDisabledDuringThePasswordCheckIsNotRecorded() {
        // given: disabled in SQL, which (unlike the API) leaves the key current
        ActiveKey key = keyOfNewUser("disabled-meanwhile");
        Attempt attempt = countedAttempt();
        TestDatabase.update("UPDATE users SET enabled = false WHERE id = ?", key.userId());
        IssuedToken token = token(Duration.ofHours(1));

        // when
        boolean recorded = sessions.record(key, token, attempt.address(), null, success(attempt));

        // then
        assertFalse(recorded);
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()));
        assertEquals(countedOnce(), throttleRows(attempt));
    }

    @Test
    void aLoginWhoseUserWasDeletedDuringThePasswordCheckIsNotRecorded() {
        // given
        ActiveKey key = keyOfNewUser("deleted-meanwhile");
        Attempt attempt = countedAttempt();
        TestDatabase.update("DELETE FROM users WHERE id = ?", key.userId());

        // when / then: refused as a changed key is, not as a database failure
        assertFalse(sessions.record(key, token(Duration.ofHours(1)), attempt.address(), null, success(attempt)));
        assertEquals(countedOnce(), throttleRows(attempt));
    }

    @Test
    void aLoginWaitsForARotationInProgressAndIsNotRecordedOnceItCommits() throws Exception {
        // given: a rotation that has retired the key read before the hash, not yet committed
        ActiveKey key = keyOfNewUser("rotating");
        Attempt attempt = countedAttempt();
        IssuedToken token = token(Duration.ofHours(1));
        try (HeldChange rotation = new HeldChange(key.userId())) {
            rotation.then(HeldChange::rotateKey);

            // when: the login records while it is held, and it commits
            boolean recorded = rotation.commitOnceWaitedFor(
                    () -> sessions.record(key, token, attempt.address(), null, success(attempt)));

            // then: no dead token handed out, no session, and the throttle's writes with it undone
            assertFalse(recorded);
        }
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()));
        assertEquals(countedOnce(), throttleRows(attempt));
    }

    @Test
    void aLoginWaitingForAChangeThatHasOnlyLockedTheUserLetsItRetireTheKeyWithoutDeadlock() throws Exception {
        // given: a change that has locked the user (as every change of a user starts) and retires the key next
        ActiveKey key = keyOfNewUser("lock-order");
        IssuedToken token = token(Duration.ofHours(1));
        try (HeldChange change = new HeldChange(key.userId())) {

            // when: the login records while the user is locked; then the change retires the key and commits
            boolean recorded = change.commitOnceWaitedFor(
                    () -> sessions.record(key, token, "192.0.2.1", null, anySuccess()), HeldChange::rotateKey);

            // then: neither failed (a deadlock aborts one), and the login saw the retired key
            assertFalse(recorded);
        }
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()));
    }

    @Test
    void aLoginWaitsForADisablingInProgressAndIsNotRecordedOnceItCommits() throws Exception {
        // given: the user disabled in a transaction not yet committed (in SQL: the key stays current)
        ActiveKey key = keyOfNewUser("disabling");
        Attempt attempt = countedAttempt();
        IssuedToken token = token(Duration.ofHours(1));
        try (HeldChange disabling = new HeldChange(key.userId())) {
            disabling.then(held -> held.sql("UPDATE users SET enabled = false WHERE id = ?1"));

            // when
            boolean recorded = disabling.commitOnceWaitedFor(
                    () -> sessions.record(key, token, attempt.address(), null, success(attempt)));

            // then
            assertFalse(recorded);
        }
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()));
        assertEquals(countedOnce(), throttleRows(attempt));
    }

    @Test
    void aLoginWaitsForADeletionInProgressAndIsNotRecordedRatherThanFailing() throws Exception {
        // given: the user deleted in a transaction not yet committed
        ActiveKey key = keyOfNewUser("deleting");
        Attempt attempt = countedAttempt();
        try (HeldChange deletion = new HeldChange(key.userId())) {
            deletion.then(HeldChange::deleteUser);

            // when: the login records while it is held, and it commits
            boolean recorded = deletion.commitOnceWaitedFor(() -> sessions.record(key, token(Duration.ofHours(1)),
                    attempt.address(), null, success(attempt)));

            // then: refused as a wrong password is (not a failed foreign key: a 503)
            assertFalse(recorded);
        }
        assertEquals(countedOnce(), throttleRows(attempt));
    }

    @Test
    void aLoginWaitingForAChangeThatIsRolledBackIsRecorded() throws Exception {
        // given: a rotation in progress
        ActiveKey key = keyOfNewUser("rolled-back");
        IssuedToken token = token(Duration.ofHours(1));
        try (HeldChange rotation = new HeldChange(key.userId())) {
            rotation.then(HeldChange::rotateKey);

            // when: the login records while it is held, and it is rolled back
            boolean recorded = rotation.rollBackOnceWaitedFor(
                    () -> sessions.record(key, token, "192.0.2.1", null, anySuccess()));

            // then: the key is still current: the login stands
            assertTrue(recorded);
        }
        assertEquals(1, TestDatabase.rows("SELECT jti FROM sessions WHERE jti = ?", token.jti()).size());
    }

    @Test
    void aLoginThatCannotBeRecordedLeavesItsThrottleWritesUndone() {
        // given: a token id already recorded
        ActiveKey key = keyOfNewUser("undone");
        IssuedToken token = token(Duration.ofHours(1));
        sessions.record(key, token, "192.0.2.1", null, anySuccess());
        Attempt attempt = countedAttempt();

        // when
        assertThrows(Refusal.class, () -> sessions.record(key, token, attempt.address(), null, success(attempt)));

        // then
        assertEquals(countedOnce(), throttleRows(attempt));
    }

    @Test
    void aLoginPrunesSessionsExpiredBeyondTheSkewThenNotAgainForAMinute() {
        // given: a session expired just beyond the skew, one expired exactly at it
        ActiveKey key = keyOfNewUser("prune");
        String beyond = storedSession(key, clock.instant().minus(SKEW).minus(Duration.ofMillis(1)));
        String atSkew = storedSession(key, clock.instant().minus(SKEW));

        // when
        sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, anySuccess());

        // then
        assertFalse(stored(beyond));
        assertTrue(stored(atSkew));

        // and: within the minute nothing is pruned; at its end the next login prunes
        String later = storedSession(key, clock.instant().minus(SKEW).minusSeconds(1));
        clock.advance(Duration.ofSeconds(59));
        sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, anySuccess());
        assertTrue(stored(later));
        clock.advance(Duration.ofSeconds(1));
        sessions.record(key, token(Duration.ofHours(1)), "192.0.2.1", null, anySuccess());
        assertFalse(stored(later));
    }

    @Test
    void activeSessionsAreTheUnexpiredOnesNewestFirstWithTheCallersMarked() {
        // given: three logins a second apart, and one whose token has expired
        ActiveKey key = keyOfNewUser("active");
        IssuedToken first = token(Duration.ofHours(1));
        sessions.record(key, first, "192.0.2.1", "one", anySuccess());
        clock.advance(Duration.ofSeconds(1));
        IssuedToken second = token(Duration.ofHours(1));
        sessions.record(key, second, "192.0.2.2", "two", anySuccess());
        clock.advance(Duration.ofSeconds(1));
        IssuedToken expiring = token(Duration.ofSeconds(5));
        sessions.record(key, expiring, "192.0.2.3", null, anySuccess());
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
        sessions.record(rotated, token(Duration.ofHours(1)), "192.0.2.1", null, anySuccess());
        transactions.callInNew(() -> keys.rotate(rotated.userId()));
        ActiveKey revoked = keyOfNewUser("revoked");
        IssuedToken token = token(Duration.ofHours(1));
        sessions.record(revoked, token, "192.0.2.1", null, anySuccess());
        TestDatabase.update("INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)", token.jti(),
                token.expiresAt());
        ActiveKey disabled = keyOfNewUser("disabled");
        sessions.record(disabled, token(Duration.ofHours(1)), "192.0.2.1", null, anySuccess());
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
        sessions.record(key, token, "192.0.2.1", null, anySuccess());

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
        sessions.record(owner, token, "192.0.2.1", null, anySuccess());

        // when
        boolean ended = sessions.end(other.userId(), token.jti());

        // then
        assertFalse(ended);
        assertEquals(List.of(), TestDatabase.rows("SELECT jti FROM revoked_tokens WHERE jti = ?", token.jti()));
        assertEquals(1, sessions.active(owner.userId(), null).size());
    }

    /**
     * A change of one user in a transaction of its own, as an administrator's call runs it and not yet committed:
     * the user locked first (as UserService does), then what the test adds, through the service's own key code.
     */
    private final class HeldChange implements AutoCloseable {

        private final EntityManager manager = TestDatabase.entityManagers().createEntityManager();
        private final TestTransactions managerTransactions = new TestTransactions(manager);
        private final User user;
        private final int backend;

        HeldChange(UUID userId) {
            manager.getTransaction().begin();
            user = manager.find(User.class, userId, LockModeType.PESSIMISTIC_WRITE);
            backend = manager.unwrap(Session.class).doReturningWork(LockWaits::backendOf);
        }

        HeldChange then(Consumer<HeldChange> step) {
            step.accept(this);
            manager.flush();
            return this;
        }

        void rotateKey() {
            TestKeys.over(manager, managerTransactions, new TestChangeLog(manager, managerTransactions), clock, config)
                    .rotate(user.id());
        }

        void deleteUser() {
            manager.remove(user);
        }

        void sql(String change) {
            manager.createNativeQuery(change).setParameter(1, user.id()).executeUpdate();
        }

        /**
         * Runs {@code login} on another thread; once it waits for this change, takes {@code nextSteps} and commits.
         * What the login answered.
         */
        @SafeVarargs
        final boolean commitOnceWaitedFor(Supplier<Boolean> login, Consumer<HeldChange>... nextSteps)
                throws Exception {
            CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(login);
            awaitWaiting(answer);
            for (Consumer<HeldChange> step : nextSteps) {
                then(step);
            }
            manager.getTransaction().commit();
            return answer.get(LockWaits.WAIT_SECONDS, TimeUnit.SECONDS);
        }

        /** As {@link #commitOnceWaitedFor}, rolling the change back instead. */
        boolean rollBackOnceWaitedFor(Supplier<Boolean> login) throws Exception {
            CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(login);
            awaitWaiting(answer);
            manager.getTransaction().rollback();
            return answer.get(LockWaits.WAIT_SECONDS, TimeUnit.SECONDS);
        }

        private void awaitWaiting(CompletableFuture<?> login) throws Exception {
            assertTrue(LockWaits.awaitWaiter(TestDatabase.dataSource(), backend, login::isDone),
                    "the login did not wait for the change");
        }

        @Override
        public void close() {
            if (manager.getTransaction().isActive()) {
                manager.getTransaction().rollback();
            }
            manager.close();
        }
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
