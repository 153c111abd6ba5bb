package io.latchkey.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.common.Jdbc;
import io.latchkey.config.TestConfig;
import io.latchkey.config.TestDatabase;
import io.latchkey.error.ErrorCode;
import io.latchkey.error.Refusal;

/**
 * The limiter on a real PostgreSQL counts with small limits and a clock the test moves (no sleeping): each limit,
 * its window, the exemption of known addresses, IPv6 per /64, and instances sharing the counts. Plain JUnit on
 * this JVM's own database ({@link TestDatabase}), emptied before each test, so a test can be repeated (as mutation
 * testing does) without meeting its earlier counts.
 */
@Tag("plain")
class LoginThrottleTest {

    private static final Duration WINDOW = Duration.ofMinutes(5);
    /** The session step a success's writes ride behind, here one that recorded its row. */
    private static final WriteSteps RECORDED = WriteSteps.of("session AS (SELECT 1)");
    /** One that recorded nothing: the key changed during the hash. */
    private static final WriteSteps NOT_RECORDED = WriteSteps.of("session AS (SELECT 1 WHERE false)");

    private final DataSource dataSource = TestDatabase.dataSource();
    private final TestClock clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

    @BeforeEach
    void forgetEveryCount() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM login_attempts; DELETE FROM login_known_addresses");
        }
    }

    @Test
    void thePairIsRefusedAfterItsLimitUntilTheLockoutEnds() {
        // given a pair at its limit of 3
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "3"));
        String user = unique("pair");
        fail(throttle, user, "192.0.2.1", 3);

        // when / then: refused for the lockout, not a second longer
        assertEquals(Optional.of(WINDOW), throttle.attempt(user, "192.0.2.1"));
        clock.advance(WINDOW.minusSeconds(1));
        assertTrue(throttle.attempt(user, "192.0.2.1").isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertFalse(throttle.attempt(user, "192.0.2.1").isPresent());
    }

    @Test
    void anAttemptIsCountedOnThePairTheAddressAndTheUsername() {
        // given
        LoginThrottle throttle = throttle(Map.of());
        String user = unique("rows");

        // when: two attempts, a minute apart
        fail(throttle, user, "192.0.2.20", 1);
        clock.advance(Duration.ofMinutes(1));
        fail(throttle, user, "192.0.2.20", 1);

        // then: one row per kind, keyed by the hashed name, the address, or both; each window from the first attempt
        Instant windowEnds = clock.instant().minus(Duration.ofMinutes(1)).plus(WINDOW);
        String folded = LoginThrottle.fold(user);
        assertEquals(List.of(List.of("a", "192.0.2.20", 2, windowEnds), List.of("p", folded + " 192.0.2.20", 2, windowEnds),
                List.of("u", folded, 2, windowEnds)), attemptRows());
    }

    @Test
    void aSuccessForgetsThePairTakesTheAttemptBackFromAddressAndUsernameAndRemembersTheAddress() {
        // given: two attempts, the second of which succeeds
        LoginThrottle throttle = throttle(Map.of());
        String user = unique("success-rows");
        fail(throttle, user, "192.0.2.21", 2);

        // when
        succeed(throttle, user, "192.0.2.21");

        // then
        String folded = LoginThrottle.fold(user);
        Instant windowEnds = clock.instant().plus(WINDOW);
        assertEquals(List.of(List.of("a", "192.0.2.21", 1, windowEnds), List.of("u", folded, 1, windowEnds)),
                attemptRows());
        assertEquals(List.of(List.of("192.0.2.21", clock.instant())), knownAddresses(user));
    }

    @Test
    void aUserKeepsOnlyTheirNewestKnownAddressesUpToTheLimit() {
        // given: a limit of 2
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.known-addresses-per-user", "2"));
        String user = unique("known-limit");

        // when: successes from three addresses a second apart
        for (String address : List.of("192.0.2.31", "192.0.2.32", "192.0.2.33")) {
            clock.advance(Duration.ofSeconds(1));
            succeed(throttle, user, address);
        }

        // then: the least recent forgotten, never more than the limit
        assertEquals(List.of(List.of("192.0.2.33", clock.instant()),
                List.of("192.0.2.32", clock.instant().minusSeconds(1))), knownAddresses(user));
    }

    @Test
    void aSuccessForgetsTheUsersAddressesPastTheirLifetime() {
        // given: successes from two addresses, one just within the lifetime by the time of the next success
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.known-address-lifetime", "P30D"));
        String user = unique("known-lifetime");
        succeed(throttle, user, "192.0.2.41");
        clock.advance(Duration.ofSeconds(1));
        succeed(throttle, user, "192.0.2.42");
        clock.advance(Duration.ofDays(30).minusSeconds(1));

        // when: a success from a third address, when the first was used exactly a lifetime ago
        succeed(throttle, user, "192.0.2.43");

        // then
        assertEquals(List.of("192.0.2.42", "192.0.2.43"),
                knownAddresses(user).stream().map(row -> row.get(0)).sorted().toList());
    }

    @Test
    void aSuccessClearsThePairCount() {
        // given two failures of a limit of 3, then a success
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "3"));
        String user = unique("success");
        fail(throttle, user, "192.0.2.2", 2);
        assertFalse(throttle.attempt(user, "192.0.2.2").isPresent());
        succeed(throttle, user, "192.0.2.2");

        // when / then: three more attempts pass
        fail(throttle, user, "192.0.2.2", 3);
    }

    @Test
    void oneAddressSprayingManyUsernamesIsRefusedForEveryUsername() {
        // given an address that failed 5 times (its limit), each time with another username
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.address-max-failures", "5"));
        String address = "198.51.100." + (1 + new java.util.Random().nextInt(250));
        for (int i = 0; i < 5; i++) {
            fail(throttle, unique("spray"), address, 1);
        }

        // when / then: any username, for the window
        Optional<Duration> refused = throttle.attempt(unique("fresh"), address);
        assertEquals(Optional.of(WINDOW), refused);
        clock.advance(WINDOW);
        assertFalse(throttle.attempt(unique("later"), address).isPresent());
    }

    @Test
    void ipv6AddressesCountPerSlash64() {
        // given failures from many addresses of one /64
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.address-max-failures", "4"));
        String prefix = "2001:db8:" + Integer.toHexString(new java.util.Random().nextInt(0xffff)) + ":1:";
        for (int i = 1; i <= 4; i++) {
            fail(throttle, unique("v6"), prefix + Integer.toHexString(i) + "::" + i, 1);
        }

        // when / then: another address of that /64 is refused, one of the next /64 is not
        assertTrue(throttle.attempt(unique("v6"), prefix + "ffff:ffff:ffff:ffff").isPresent());
        assertFalse(throttle.attempt(unique("v6"), prefix.replace(":1:", ":2:") + ":1").isPresent());
    }

    @Test
    void oneUsernameGroundFromManyAddressesIsRefusedEverywhereButWhereItLoggedInBefore() {
        // given a user who logged in from home once, then 4 failures (the limit) from 4 other addresses
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.user-max-failures", "4"));
        String user = unique("ground");
        String home = "203.0.113.10";
        assertFalse(throttle.attempt(user, home).isPresent());
        succeed(throttle, user, home);
        for (int i = 1; i <= 4; i++) {
            fail(throttle, user, "203.0.113." + (100 + i), 1);
        }

        // when / then: refused from a new address, not from home
        assertEquals(Optional.of(WINDOW), throttle.attempt(user, "203.0.113.200"));
        assertFalse(throttle.attempt(user, home).isPresent());
    }

    @Test
    void anAddressIsForgottenAfterItsLifetime() {
        // given a login from home 31 days ago, and the user's count at its limit now
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.user-max-failures", "2"));
        String user = unique("forgotten");
        String home = "203.0.113.20";
        assertFalse(throttle.attempt(user, home).isPresent());
        succeed(throttle, user, home);
        clock.advance(Duration.ofDays(31));
        fail(throttle, user, "203.0.113.21", 2);

        // when / then
        assertTrue(throttle.attempt(user, home).isPresent());
    }

    @Test
    void unknownAndKnownUsernamesAreCountedAlike() {
        // the limiter never looks a username up: any string is counted the same way
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "2"));
        for (String user : new String[] {unique("exists-or-not"), "admin-" + UUID.randomUUID()}) {
            fail(throttle, user, "192.0.2.3", 2);
            assertEquals(Optional.of(WINDOW), throttle.attempt(user, "192.0.2.3"));
        }
    }

    @Test
    void countsAreSharedByInstances() {
        // given two instances on one database
        Map<String, String> settings = Map.of("latchkey.throttle.max-failures", "4");
        LoginThrottle one = throttle(settings);
        LoginThrottle two = throttle(settings);
        String user = unique("shared");

        // when each counts two failures
        fail(one, user, "192.0.2.4", 2);
        fail(two, user, "192.0.2.4", 2);

        // then both refuse
        assertTrue(one.attempt(user, "192.0.2.4").isPresent());
        assertTrue(two.attempt(user, "192.0.2.4").isPresent());
    }

    @Test
    void parallelGuessesStayWithinTheLimit() throws InterruptedException {
        // given a limit of 5
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "5"));
        String user = unique("parallel");

        // when 30 guesses for one pair start at once, none finished yet
        AtomicInteger letThrough = new AtomicInteger();
        Thread[] guessers = new Thread[30];
        for (int i = 0; i < guessers.length; i++) {
            guessers[i] = new Thread(() -> {
                if (throttle.attempt(user, "192.0.2.5").isEmpty()) {
                    letThrough.incrementAndGet();
                }
            });
            guessers[i].start();
        }
        for (Thread guesser : guessers) {
            guesser.join();
        }

        // then only 5 reach the password check
        assertEquals(5, letThrough.get());
    }

    @Test
    void refusalLastsAsLongAsTheLongestLimitReached() {
        // given: the pair and the username reach their limits on the same attempt, with windows of 10 and 5 minutes
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "2",
                "latchkey.throttle.user-max-failures", "2", "latchkey.throttle.lockout", "PT10M"));
        String user = unique("longest");
        fail(throttle, user, "192.0.2.11", 2);

        // when / then: the longer one
        assertEquals(Optional.of(Duration.ofMinutes(10)), throttle.attempt(user, "192.0.2.11"));
    }

    @Test
    void countsAndAddressesPastTheirWindowAreDeletedByTheNextAttempt() throws SQLException {
        // given: a count whose window ended, and an address last used longer ago than addresses are kept
        LoginThrottle throttle = throttle(Map.of());
        execute("INSERT INTO login_attempts (scope, key, count, window_ends) VALUES ('p', 'expired', 3, ?)",
                clock.instant().minusSeconds(1));
        execute("INSERT INTO login_known_addresses (username, address, last_success) VALUES ('expired', '192.0.2.12', ?)",
                clock.instant().minus(Duration.ofDays(31)));

        // when
        throttle.attempt(unique("pruner"), "192.0.2.13");

        // then
        assertEquals(0, count("SELECT count(*) FROM login_attempts WHERE key = 'expired'"));
        assertEquals(0, count("SELECT count(*) FROM login_known_addresses WHERE username = 'expired'"));
    }

    @Test
    void pruningWaitsAMinuteBetweenRuns() throws SQLException {
        // given: a throttle that has just pruned
        LoginThrottle throttle = throttle(Map.of());
        throttle.attempt(unique("first"), "192.0.2.14");
        execute("INSERT INTO login_attempts (scope, key, count, window_ends) VALUES ('p', 'expired', 3, ?)",
                clock.instant().minusSeconds(1));

        // when: another attempt within the minute, then one a minute later
        throttle.attempt(unique("second"), "192.0.2.14");
        long within = count("SELECT count(*) FROM login_attempts WHERE key = 'expired'");
        clock.advance(Duration.ofMinutes(1));
        throttle.attempt(unique("third"), "192.0.2.14");

        // then
        assertEquals(1, within);
        assertEquals(0, count("SELECT count(*) FROM login_attempts WHERE key = 'expired'"));
    }

    /** Every count, ordered by kind: scope, key, count, end of window. */
    private static List<List<Object>> attemptRows() {
        return TestDatabase.rows("SELECT scope, key, count, window_ends FROM login_attempts ORDER BY scope");
    }

    /** The addresses remembered for {@code user}, newest first, with their last success. */
    private static List<List<Object>> knownAddresses(String user) {
        return TestDatabase.rows("SELECT address, last_success FROM login_known_addresses WHERE username = ?"
                + " ORDER BY last_success DESC", LoginThrottle.fold(user));
    }

    private void execute(String sql, Instant at) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, at.atOffset(ZoneOffset.UTC));
            statement.executeUpdate();
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void ipv4AddressesCountAsTheyAre() {
        assertEquals("192.0.2.7", LoginThrottle.network("192.0.2.7"));
    }

    @Test
    void ipv6AddressesCountByTheirFirst64Bits() {
        assertEquals("2001:db8:1:2:0:0:0:0/64", LoginThrottle.network("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        assertEquals("2001:db8:1:2:0:0:0:0/64", LoginThrottle.network("[2001:db8:1:2::1]"));
    }

    @Test
    void ipv4MappedIpv6AddressesCountAsIpv4() {
        assertEquals("192.0.2.7", LoginThrottle.network("::ffff:192.0.2.7"));
    }

    @Test
    void usernamesAreCountedFoldedAndHashed() {
        String counted = LoginThrottle.fold("Alice");

        assertEquals(counted, LoginThrottle.fold("alice"));
        assertTrue(counted.matches("[0-9a-f]{64}"), counted);
        assertFalse(counted.equals(LoginThrottle.fold("bob")));
    }

    @Test
    void attemptIsRefusedAsUnavailableWhenTheCountsCannotBeReached() {
        // given: a database that cannot be reached
        LoginThrottle throttle = throttle(Map.of());
        throttle.dataSource = unreachable();

        // when
        Refusal refusal = assertThrows(Refusal.class, () -> throttle.attempt(unique("away"), "192.0.2.8"));

        // then: no unthrottled guessing; retry in a second
        assertEquals(ErrorCode.TEMPORARILY_UNAVAILABLE, refusal.code());
        assertEquals(Optional.of(Duration.ofSeconds(1)), refusal.retryAfter());
    }

    @Test
    void aSuccessIsUndoneWithTheStatementItRidesIn() throws SQLException {
        // given two failures of a limit of 3, then a success whose session cannot be stored
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "3"));
        String user = unique("atomic");
        fail(throttle, user, "192.0.2.9", 2);
        WriteSteps failing = WriteSteps.of("session AS (INSERT INTO sessions (jti) VALUES (?) RETURNING 1)", "no-user");
        assertThrows(SQLException.class, () -> run(failing.and(throttle.succeeded(user, "192.0.2.9"))));

        // when / then: the pair count stands (the failure was not taken back): the third attempt reaches the limit
        assertFalse(throttle.attempt(user, "192.0.2.9").isPresent());
        assertTrue(throttle.attempt(user, "192.0.2.9").isPresent());
    }

    @Test
    void aSuccessWhoseSessionWasNotRecordedLeavesTheCountsAndAddressesAlone() throws SQLException {
        // given two failures of a limit of 3, then a success refused because its key changed during the hash
        LoginThrottle throttle = throttle(Map.of("latchkey.throttle.max-failures", "3"));
        String user = unique("unrecorded");
        fail(throttle, user, "192.0.2.10", 2);
        run(NOT_RECORDED.and(throttle.succeeded(user, "192.0.2.10")));

        // when / then: the pair count stands (the third attempt reaches the limit), no address was remembered
        assertFalse(throttle.attempt(user, "192.0.2.10").isPresent());
        assertTrue(throttle.attempt(user, "192.0.2.10").isPresent());
        assertEquals(0, count("SELECT count(*) FROM login_known_addresses WHERE username = '"
                + LoginThrottle.fold(user) + "'"));
    }

    /** A data source whose every connection fails, as when PostgreSQL is away. */
    private static DataSource unreachable() {
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    throw new SQLException("connection refused");
                });
    }

    /** A successful login's writes to the counts, as one statement the way the session's record runs them. */
    private void succeed(LoginThrottle throttle, String user, String address) {
        try {
            run(RECORDED.and(throttle.succeeded(user, address)));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(WriteSteps writes) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(writes.statement("1"))) {
            Jdbc.bind(statement, writes.parameters());
            statement.executeQuery().close();
        }
    }

    private static void fail(LoginThrottle throttle, String user, String address, int times) {
        for (int i = 0; i < times; i++) {
            assertFalse(throttle.attempt(user, address).isPresent(), "attempt " + (i + 1) + " let through");
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /** A limiter as the application builds it (the real config mapping and defaults), on this test's clock. */
    private LoginThrottle throttle(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("latchkey.throttle.lockout", WINDOW.toString(),
                "latchkey.throttle.address-window", WINDOW.toString()));
        all.putAll(settings);
        LoginThrottle throttle = new LoginThrottle();
        throttle.config = TestConfig.with(all);
        throttle.dataSource = dataSource;
        throttle.clock = clock;
        return throttle;
    }
}
