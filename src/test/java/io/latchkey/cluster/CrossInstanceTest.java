package io.latchkey.cluster;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwx.JsonWebStructure;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Another instance is simulated exactly as it would act: plain SQL on the shared database plus its change-log row
 * and NOTIFY ({@link ChangeLog#insert}), from a connection the application does not own. Every token is introspected (so its key is
 * cached) before the change, so these tests prove invalidation, not a cold cache.
 */
@QuarkusTest
class CrossInstanceTest {

    private static final long ONE_SECOND_NANOS = 1_000_000_000L;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    CacheRefreshes refreshes;
    @Inject
    ChangeFeed feed;

    /** A connection of "another instance": not from the application's pool. */
    private static Connection otherInstance() throws SQLException {
        Config config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        String user = config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres");
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse("postgres");
        return DriverManager.getConnection(url, user, password);
    }

    private static JwtClaims claimsOf(String token) throws Exception {
        String payload = token.split("\\.")[1];
        return JwtClaims.parse(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }

    private static String kidOf(String token) throws Exception {
        return JsonWebStructure.fromCompactSerialization(token).getKeyIdHeaderValue();
    }

    /** A token this instance has answered for from memory (no database connection) before the change. */
    private String cachedToken(TestUser user) throws Exception {
        String token = TestApi.login(user);
        assertTrue(TestApi.isActive(token), "active before the change");
        assertAnsweredFromMemory(token);
        return token;
    }

    /** Introspects {@code token} and checks that no pooled connection was acquired (retried if a refresh interfered). */
    private void assertAnsweredFromMemory(String token) {
        long acquired = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            long before = dataSource.getMetrics().acquireCount();
            assertTrue(TestApi.isActive(token), "active");
            acquired = dataSource.getMetrics().acquireCount() - before;
            if (acquired == 0) {
                return;
            }
        }
        throw new AssertionError("the token's key is not held in memory: " + acquired + " connections acquired");
    }

    /** Commits {@code change} plus its change-log row and NOTIFY in one transaction, then the time until the token is inactive. */
    private static long millisUntilInactive(String token, SqlChange change, Change logged) throws Exception {
        long started;
        try (Connection connection = otherInstance()) {
            connection.setAutoCommit(false);
            change.apply(connection);
            ChangeLog.insert(connection, logged);
            started = System.nanoTime();
            connection.commit();
        }
        return awaitInactive(token, started);
    }

    /** Milliseconds from {@code started} until {@code token} is no longer active here (at most 10 s). */
    private static long awaitInactive(String token, long started) throws InterruptedException {
        while (TestApi.isActive(token)) {
            if (System.nanoTime() - started > 10 * ONE_SECOND_NANOS) {
                throw new AssertionError("still active 10 s after the change by another instance");
            }
            Thread.sleep(5);
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static SqlChange disabling(TestUser user) {
        return connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE users SET enabled = false WHERE id = ?")) {
                update.setObject(1, user.id());
                assertEquals(1, update.executeUpdate());
            }
        };
    }

    @FunctionalInterface
    private interface SqlChange {
        void apply(Connection connection) throws SQLException;
    }

    /** Prints the measured time (the issue note quotes it) and requires it under one second. */
    private static void assertReachedWithinOneSecond(String what, long millis) {
        System.out.println("[cross-instance] " + what + " reached this instance in " + millis + " ms");
        assertTrue(millis < 1000, what + " took " + millis + " ms");
    }

    @Test
    void userDisabledByAnotherInstanceIsInactiveHereWithinOneSecond() throws Exception {
        TestUser user = TestApi.createUser("xi-disable");
        String token = cachedToken(user);

        long millis = millisUntilInactive(token, disabling(user), Change.userDisabled(user.id()));

        assertReachedWithinOneSecond("disable", millis);
    }

    @Test
    void tokenRevokedByAnotherInstanceIsInactiveHereWithinOneSecond() throws Exception {
        TestUser user = TestApi.createUser("xi-revoke");
        String token = cachedToken(user);
        JwtClaims claims = claimsOf(token);
        String jti = claims.getJwtId();
        long exp = claims.getExpirationTime().getValue();

        long millis = millisUntilInactive(token, connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)")) {
                insert.setString(1, jti);
                insert.setTimestamp(2, Timestamp.from(Instant.ofEpochSecond(exp)));
                assertEquals(1, insert.executeUpdate());
            }
        }, Change.tokenRevoked(jti, user.id(), exp));

        assertReachedWithinOneSecond("revocation", millis);
    }

    @Test
    void keyRetiredByAnotherInstanceIsInactiveHereWithinOneSecond() throws Exception {
        TestUser user = TestApi.createUser("xi-retire");
        String token = cachedToken(user);
        String kid = kidOf(token);

        long millis = millisUntilInactive(token, retireKeyOf(kid), Change.keyRetired(kid, user.id()));

        assertReachedWithinOneSecond("key retirement", millis);
    }

    private static SqlChange retireKeyOf(String kid) {
        return connection -> {
            try (PreparedStatement retire = connection.prepareStatement(
                    "UPDATE signing_keys SET retired_at = now() WHERE kid = ? AND retired_at IS NULL")) {
                retire.setString(1, kid);
                assertEquals(1, retire.executeUpdate());
            }
        };
    }

    @Test
    void userDeletedByAnotherInstanceIsInactiveHereWithinOneSecond() throws Exception {
        TestUser user = TestApi.createUser("xi-delete");
        String token = cachedToken(user);

        long millis = millisUntilInactive(token, connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM users WHERE id = ?")) {
                delete.setObject(1, user.id());
                assertEquals(1, delete.executeUpdate());
            }
        }, Change.userDeleted(user.id()));

        assertReachedWithinOneSecond("deletion", millis);
    }

    @Test
    void clientDeletedByAnotherInstanceIsRefusedHereWithinOneSecond() throws Exception {
        TestClient client = TestApi.createClient("introspect");
        String token = TestApi.login(TestApi.createUser("xi-client"));
        introspectAs(client, token).statusCode(200);

        long started;
        try (Connection connection = otherInstance()) {
            connection.setAutoCommit(false);
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM clients WHERE client_id = ?")) {
                delete.setString(1, client.clientId());
                assertEquals(1, delete.executeUpdate());
            }
            ChangeLog.insert(connection, Change.clientChanged(client.clientId()));
            started = System.nanoTime();
            connection.commit();
        }
        while (introspectAs(client, token).extract().statusCode() != 401) {
            if (System.nanoTime() - started > 5 * ONE_SECOND_NANOS) {
                throw new AssertionError("the deleted client still authenticates 5 s later");
            }
            Thread.sleep(5);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertReachedWithinOneSecond("client deletion", millis);
    }

    private static io.restassured.response.ValidatableResponse introspectAs(TestClient client, String token) {
        return given().auth().preemptive().basic(client.clientId(), client.secret())
                .contentType(ContentType.URLENC).formParam("token", token)
                .when().post("/introspect")
                .then();
    }

    @Test
    void keyRetiredByAnotherInstanceDropsOnlyThatUsersKeyHere() {
        boolean bystanderFromMemory = refreshes.withoutOverlap(() -> {
            try {
                // given: two users whose tokens are answered from memory
                TestUser rotated = TestApi.createUser("xi-rotated");
                String rotatedToken = cachedToken(rotated);
                TestUser bystander = TestApi.createUser("xi-bystander");
                String bystanderToken = cachedToken(bystander);

                // when: another instance logs a change of an unknown user and one of a kind this version does not
                // know, then retires the first user's key (and its token is inactive here)
                try (Connection connection = otherInstance();
                        PreparedStatement newer = connection.prepareStatement(
                                "INSERT INTO change_log (kind, user_id) VALUES ('something.newer', ?)")) {
                    ChangeLog.insert(connection, Change.userDisabled(UUID.randomUUID()));
                    newer.setObject(1, bystander.id());
                    newer.execute();
                }
                String rotatedKid = kidOf(rotatedToken);
                millisUntilInactive(rotatedToken, retireKeyOf(rotatedKid), Change.keyRetired(rotatedKid, rotated.id()));

                // then: changes are applied in log order, so all three were applied, and the bystander's key
                // is still held: its token is active without a database connection
                long before = dataSource.getMetrics().acquireCount();
                boolean active = TestApi.isActive(bystanderToken);
                return active && dataSource.getMetrics().acquireCount() == before;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertTrue(bystanderFromMemory, "the bystander's token is active and answered without the database");
    }

    @Test
    void malformedNotificationsAreIgnoredAndTheFeedKeepsListening() throws Exception {
        TestUser user = TestApi.createUser("xi-malformed");
        String token = cachedToken(user);
        List<Integer> listener = listenerPids();

        try (Connection connection = otherInstance();
                PreparedStatement notify = connection.prepareStatement("SELECT pg_notify('latchkey_changes', ?)")) {
            for (String payload : List.of("USER:0:" + user.id(), "", "-1", "99999999999999999999999", "1;DROP", "1e3")) {
                notify.setString(1, payload);
                notify.execute();
            }
        }
        long millis = millisUntilInactive(token, disabling(user), Change.userDisabled(user.id()));

        assertReachedWithinOneSecond("disable after malformed notifications", millis);
        assertEquals(listener, listenerPids(), "the same listener, never restarted");
    }

    @Test
    void changeWrittenWithoutItsNotificationIsAppliedWithinTheLease() throws Exception {
        TestUser user = TestApi.createUser("xi-silent");
        String token = cachedToken(user);
        String kid = kidOf(token);

        long started;
        try (Connection connection = otherInstance()) {
            connection.setAutoCommit(false);
            retireKeyOf(kid).apply(connection);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO change_log (kind, user_id, kid) VALUES ('key.retired', ?, ?)")) {
                insert.setObject(1, user.id());
                insert.setString(2, kid);
                assertEquals(1, insert.executeUpdate());
            }
            started = System.nanoTime();
            connection.commit();
        }
        long millis = awaitInactive(token, started);

        System.out.println("[cross-instance] a change without NOTIFY reached this instance in " + millis + " ms");
        assertTrue(millis < 5000, "took " + millis + " ms"); // the lease is 2 s; a loaded machine gets slack
    }

    @Test
    void changesMadeWhileTheFeedIsDisconnectedAreCaughtUpFromTheLog() throws Exception {
        TestUser user = TestApi.createUser("xi-missed");
        String token = cachedToken(user);
        List<Integer> before = listenerPids();

        long started;
        try (Connection connection = otherInstance()) {
            try (PreparedStatement kill = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
                kill.setInt(1, before.get(0));
                kill.execute();
            }
            connection.setAutoCommit(false); // committed while nobody listens: its NOTIFY reaches no one
            disabling(user).apply(connection);
            ChangeLog.insert(connection, Change.userDisabled(user.id()));
            started = System.nanoTime();
            connection.commit();
        }
        long millis = awaitInactive(token, started);

        System.out.println("[cross-instance] a change made while the feed was cut reached this instance in " + millis + " ms");
        assertTrue(millis < 5000, "took " + millis + " ms");
    }

    @Test
    void changeLoggedAfterTheLogWasRewoundBelowTheLastAppliedIsAppliedAfterAReconnect() throws Exception {
        TestUser user = TestApi.createUser("xi-rewound");
        String token = cachedToken(user);
        long applied = appliedMarker();

        // when: a failover to a replica that missed the last changes hands their numbers out again
        long started;
        try (Connection connection = otherInstance()) {
            connection.setAutoCommit(false);
            try (PreparedStatement lost = connection.prepareStatement("DELETE FROM change_log WHERE seq > ?");
                    PreparedStatement rewind = connection.prepareStatement(
                            "SELECT setval(pg_get_serial_sequence('change_log', 'seq'), ?)")) {
                lost.setLong(1, applied - 3);
                lost.execute();
                rewind.setLong(1, applied - 3);
                rewind.execute();
            }
            disabling(user).apply(connection);
            assertTrue(ChangeLog.insert(connection, Change.userDisabled(user.id())).seq() < applied, "rewound");
            started = System.nanoTime();
            connection.commit();
        }
        // and the feed reconnects to the promoted primary
        try (Connection connection = otherInstance();
                PreparedStatement kill = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            kill.setInt(1, listenerPids().get(0));
            kill.execute();
        }

        // then the change is applied, not skipped until the safety-net refresh
        long millis = awaitInactive(token, started);
        System.out.println("[cross-instance] a change logged after a rewind reached this instance in " + millis + " ms");
    }

    /** Logs changes of unknown users, enough to rewind by three, and waits until this instance applied them. */
    private long appliedMarker() throws Exception {
        long seq = 0;
        try (Connection connection = otherInstance()) {
            while (seq <= 3) {
                seq = ChangeLog.insert(connection, Change.userDisabled(UUID.randomUUID())).seq();
            }
        }
        long started = System.nanoTime();
        while (feed.lastApplied() < seq) {
            assertTrue(System.nanoTime() - started < 10 * ONE_SECOND_NANOS, "marker not applied within 10 s");
            Thread.sleep(5);
        }
        return seq;
    }

    /** Prints p50/p99 of commit-to-inactive over 40 revocations by another instance (the README quotes them). */
    @Test
    void revocationsByAnotherInstanceReachThisOneWithinOneSecondAtP99() throws Exception {
        TestUser user = TestApi.createUser("xi-p99");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tokens.add(cachedToken(user));
        }
        List<Long> millis = new ArrayList<>();
        for (String token : tokens) {
            JwtClaims claims = claimsOf(token);
            String jti = claims.getJwtId();
            long exp = claims.getExpirationTime().getValue();
            millis.add(millisUntilInactive(token, connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)")) {
                    insert.setString(1, jti);
                    insert.setTimestamp(2, Timestamp.from(Instant.ofEpochSecond(exp)));
                    insert.executeUpdate();
                }
            }, Change.tokenRevoked(jti, user.id(), exp)));
        }
        java.util.Collections.sort(millis);
        System.out.println("[cross-instance] commit to inactive here over 40 revocations: p50 " + millis.get(19)
                + " ms, p99 " + millis.get(39) + " ms (the slowest of 40)");
        assertTrue(millis.get(39) < 1000, "slowest " + millis.get(39) + " ms");
    }

    @Test
    void feedListensAgainAfterItsConnectionIsKilled() throws Exception {
        List<Integer> before = listenerPids();
        assertEquals(1, before.size(), "exactly one listener backend: " + before);

        try (Connection connection = otherInstance();
                PreparedStatement kill = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            kill.setInt(1, before.get(0));
            kill.execute();
        }
        List<Integer> after = awaitNewListener(before.get(0));
        assertNotEquals(before, after);

        TestUser user = TestApi.createUser("xi-relisten");
        String token = cachedToken(user);
        long millis = millisUntilInactive(token, disabling(user), Change.userDisabled(user.id()));

        assertReachedWithinOneSecond("disable after re-listen", millis);
    }

    @Test
    void poolConnectionsLostWhileIdleAreReplacedNotAnsweredWithErrors() throws Exception {
        String admin = TestApi.adminToken();
        TestApi.createUser("xi-pool"); // leaves connections idle in the pool
        List<Integer> listener = listenerPids();

        List<Integer> killed = new ArrayList<>();
        try (Connection connection = otherInstance();
                PreparedStatement kill = connection.prepareStatement("""
                        SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'
                          AND NOT (pid = ANY (?))""")) {
            kill.setArray(1, connection.createArrayOf("int4", listener.toArray()));
            try (ResultSet rows = kill.executeQuery()) {
                while (rows.next()) {
                    if (rows.getBoolean(2)) {
                        killed.add(rows.getInt(1));
                    }
                }
            }
        }
        assertTrue(!killed.isEmpty(), "some idle pool connection was terminated");
        awaitGone(killed); // termination is asynchronous: the connections are dead before the next request

        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(admin).when().get("/users").then().statusCode(200);
        }
        TestApi.createUser("xi-pool-after");
    }

    /** The change feed's backend: its connection names itself. */
    private static List<Integer> listenerPids() throws SQLException {
        try (Connection connection = otherInstance();
                PreparedStatement query = connection.prepareStatement("""
                        SELECT pid FROM pg_stat_activity
                        WHERE datname = current_database() AND application_name = 'latchkey-change-feed'""");
                ResultSet rows = query.executeQuery()) {
            List<Integer> pids = new ArrayList<>();
            while (rows.next()) {
                pids.add(rows.getInt(1));
            }
            return pids;
        }
    }

    private static void awaitGone(List<Integer> pids) throws Exception {
        long started = System.nanoTime();
        while (System.nanoTime() - started < 10 * ONE_SECOND_NANOS) {
            try (Connection connection = otherInstance();
                    PreparedStatement query = connection.prepareStatement(
                            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY (?)")) {
                query.setArray(1, connection.createArrayOf("int4", pids.toArray()));
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    if (rows.getInt(1) == 0) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("terminated backends still present: " + pids);
    }

    private static List<Integer> awaitNewListener(int killed) throws Exception {
        long started = System.nanoTime();
        while (System.nanoTime() - started < 10 * ONE_SECOND_NANOS) {
            List<Integer> pids = listenerPids();
            if (pids.size() == 1 && pids.get(0) != killed) {
                System.out.println("[cross-instance] change feed listened again after "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
                return pids;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the change feed did not listen again within 10 s: " + listenerPids());
    }
}
