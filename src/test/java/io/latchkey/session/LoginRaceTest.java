package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.latchkey.user.Passwords;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A login whose password is being checked while an administrator changes the account: the change lands
 * between the password check and the signing (the hash is slow, and an attacker can stretch it by filling
 * the hash slots), or is still in progress, not committed, when the login records its session. The password
 * hashing is the real one; the test only runs the admin's change at that exact moment, deterministically,
 * instead of hoping a concurrent request hits the window.
 */
@QuarkusTest
class LoginRaceTest {

    /** What to run once the next password check for this password has finished. */
    private static final AtomicReference<Map.Entry<String, Runnable>> AFTER_CHECK = new AtomicReference<>();

    @Inject
    DataSource dataSource;

    @BeforeEach
    void runAdminChangesRightAfterThePasswordCheck() {
        QuarkusMock.installMockForType(new Passwords() {
            @Override
            public boolean matches(String password, String hash) {
                boolean matches = super.matches(password, hash);
                Map.Entry<String, Runnable> hook = AFTER_CHECK.get();
                if (hook != null && hook.getKey().equals(password) && AFTER_CHECK.compareAndSet(hook, null)) {
                    hook.getValue().run();
                }
                return matches;
            }
        }, Passwords.class);
    }

    @Test
    void passwordResetWhileTheOldPasswordIsBeingCheckedRefusesTheLogin() {
        // given
        TestUser user = TestApi.createUser("race-reset");
        String admin = TestApi.adminToken();
        AFTER_CHECK.set(Map.entry(user.password(), () -> patch(admin, user, Map.of("password", "new-" + user.password()))));

        // when / then
        loginWith(user).then().statusCode(401).body("error", equalTo("invalid_credentials"));
        TestApi.login(user.username(), "new-" + user.password());
    }

    @Test
    void disablingWhileThePasswordIsBeingCheckedRefusesTheLogin() {
        // given
        TestUser user = TestApi.createUser("race-disable");
        String admin = TestApi.adminToken();
        AFTER_CHECK.set(Map.entry(user.password(), () -> patch(admin, user, Map.of("enabled", false))));

        // when / then
        loginWith(user).then().statusCode(401).body("error", equalTo("invalid_credentials"));
    }

    @Test
    void roleChangeWhileThePasswordIsBeingCheckedRefusesTheLogin() {
        // given
        TestUser user = TestApi.createUser("race-roles");
        String admin = TestApi.adminToken();
        AFTER_CHECK.set(Map.entry(user.password(), () -> patch(admin, user, Map.of("roles", java.util.List.of("auditor")))));

        // when / then
        loginWith(user).then().statusCode(401).body("error", equalTo("invalid_credentials"));
    }

    @Test
    void rotationInProgressWhenTheLoginIsRecordedRefusesTheLoginOnceItCommits() throws Exception {
        // given: right after the hash, a rotation locks the user and retires the key, and commits only once the
        // login waits for it (before the fix the login saw the key still current: 200 with a dead token)
        TestUser user = TestApi.createUser("race-rotating");
        CompletableFuture<Void> committed = changeHeldUntilWaitedFor(user, List.of(
                "SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE",
                "UPDATE signing_keys SET retired_at = now() WHERE user_id = ? AND retired_at IS NULL"));

        // when / then
        loginWith(user).then().statusCode(401).body("error", equalTo("invalid_credentials"));
        committed.get(LockWaits.WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, sessionsOf(user));
    }

    @Test
    void deletionInProgressWhenTheLoginIsRecordedRefusesTheLoginAsAWrongPasswordIs() throws Exception {
        // given: right after the hash, the user is deleted, committed only once the login waits for it (before the
        // fix the session's foreign key failed: 503)
        TestUser user = TestApi.createUser("race-deleting");
        CompletableFuture<Void> committed = changeHeldUntilWaitedFor(user,
                List.of("DELETE FROM users WHERE id = ?"));

        // when / then
        loginWith(user).then().statusCode(401).body("error", equalTo("invalid_credentials"));
        committed.get(LockWaits.WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(0, sessionsOf(user));
    }

    @Test
    void loginWithoutAConcurrentChangeStillSucceeds() {
        // given
        TestUser user = TestApi.createUser("race-none");

        // when / then: the extra check costs nothing visible
        loginWith(user).then().statusCode(200);
    }

    /**
     * Once the next check of the user's password has finished, runs {@code changes} (each with the user's id) in a
     * transaction of its own, and commits it on another thread as soon as a statement waits for its locks (or
     * after {@value LockWaits#WAIT_SECONDS} s if none does). Completes once committed.
     */
    private CompletableFuture<Void> changeHeldUntilWaitedFor(TestUser user, List<String> changes) {
        CompletableFuture<Void> committed = new CompletableFuture<>();
        AFTER_CHECK.set(Map.entry(user.password(), () -> {
            try {
                Connection held = dataSource.getConnection();
                held.setAutoCommit(false);
                for (String change : changes) {
                    try (PreparedStatement statement = held.prepareStatement(change)) {
                        statement.setObject(1, user.id(), Types.OTHER);
                        statement.execute();
                    }
                }
                int backend = LockWaits.backendOf(held);
                CompletableFuture.runAsync(() -> {
                    try (held) {
                        LockWaits.awaitWaiter(dataSource, backend, () -> false);
                        held.commit();
                        committed.complete(null);
                    } catch (SQLException | InterruptedException e) {
                        committed.completeExceptionally(e);
                    }
                });
            } catch (SQLException e) {
                committed.completeExceptionally(e);
            }
        }));
        return committed;
    }

    private long sessionsOf(TestUser user) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM sessions WHERE user_id = ?")) {
            query.setObject(1, user.id(), Types.OTHER);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static io.restassured.response.Response loginWith(TestUser user) {
        return given().auth().preemptive().basic(user.username(), user.password()).when().post("/login");
    }

    private static void patch(String admin, TestUser user, Map<String, Object> changes) {
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(changes)
                .when().patch("/users/" + user.id())
                .then().statusCode(200);
    }
}
