package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

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
 * the hash slots). The password hashing is the real one; the test only runs the admin's change at that
 * exact moment, deterministically, instead of hoping a concurrent request hits the window.
 */
@QuarkusTest
class LoginRaceTest {

    /** What to run once the next password check for this password has finished. */
    private static final AtomicReference<Map.Entry<String, Runnable>> AFTER_CHECK = new AtomicReference<>();

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
    void loginWithoutAConcurrentChangeStillSucceeds() {
        // given
        TestUser user = TestApi.createUser("race-none");

        // when / then: the extra check costs nothing visible
        loginWith(user).then().statusCode(200);
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
