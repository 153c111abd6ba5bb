package io.latchkey.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.LatchkeyConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Login throttling per (username, client address): after {@code latchkey.throttle.max-failures} failures the
 * pair is refused with 429, whatever the password and whether or not the account exists. Every test uses its
 * own usernames, so the lockouts they cause touch no other test.
 */
@QuarkusTest
class ThrottlingTest {

    @Inject
    LatchkeyConfig config;

    @Test
    void everyAttemptAfterTheLimitIsRefusedWith429EvenWithTheRightPassword() {
        // given
        TestUser user = TestApi.createUser("throttled");
        failLogins(user.username(), maxFailures());

        // when / then
        login(user.username(), user.password())
                .then().statusCode(429)
                .contentType("application/json")
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("error", equalTo("too_many_attempts"))
                .body("error_description", not(emptyOrNullString()));
    }

    @Test
    void retryAfterDoesNotExceedTheLockout() {
        // given
        TestUser user = TestApi.createUser("retry-after");
        failLogins(user.username(), maxFailures());

        // when
        long retryAfter = Long.parseLong(login(user.username(), user.password()).header("Retry-After"));

        // then
        assertTrue(retryAfter >= 1 && retryAfter <= config.throttle().lockout().toSeconds(),
                "Retry-After " + retryAfter + " s within the lockout of " + config.throttle().lockout());
    }

    @Test
    void theLastFailureBeforeTheLimitIsStillAnsweredInvalidCredentials() {
        // given
        TestUser user = TestApi.createUser("not-yet");
        failLogins(user.username(), maxFailures() - 1);

        // when / then: the limit-th failure is still a plain 401, only the attempts after it are refused
        login(user.username(), "wrong-" + user.password()).then().statusCode(401);
        login(user.username(), user.password()).then().statusCode(429);
    }

    @Test
    void unknownUsernameIsThrottledExactlyLikeAKnownOne() {
        // given: one known and one unknown username, both over the limit
        TestUser known = TestApi.createUser("known");
        String unknown = "unknown-" + UUID.randomUUID();
        failLogins(known.username(), maxFailures());
        failLogins(unknown, maxFailures());

        // when
        Response knownAnswer = login(known.username(), "whatever-password");
        Response unknownAnswer = login(unknown, "whatever-password");

        // then
        assertEquals(429, knownAnswer.statusCode());
        assertEquals(knownAnswer.statusCode(), unknownAnswer.statusCode());
        assertEquals(knownAnswer.contentType(), unknownAnswer.contentType());
        assertEquals(knownAnswer.body().asString(), unknownAnswer.body().asString());
        assertEquals(knownAnswer.header("Retry-After") != null, unknownAnswer.header("Retry-After") != null);
    }

    @Test
    void anotherUsernameFromTheSameAddressIsNotAffected() {
        // given
        TestUser locked = TestApi.createUser("locked");
        TestUser neighbour = TestApi.createUser("neighbour");
        failLogins(locked.username(), maxFailures());
        login(locked.username(), locked.password()).then().statusCode(429);

        // when / then
        login(neighbour.username(), neighbour.password()).then().statusCode(200);
    }

    @Test
    void usernameCaseDoesNotEscapeTheLimit() {
        // given: usernames are case-insensitive, so are their failure counts
        TestUser user = TestApi.createUser("casey");
        failLogins(user.username(), maxFailures());

        // when / then
        login(user.username().toUpperCase(Locale.ROOT), user.password()).then().statusCode(429);
    }

    @Test
    void aSuccessfulLoginBeforeTheLimitResetsTheCount() {
        // given: one failure short of the limit, then a success
        TestUser user = TestApi.createUser("reset");
        failLogins(user.username(), maxFailures() - 1);
        login(user.username(), user.password()).then().statusCode(200);

        // when: as many failures again, one short of the limit
        failLogins(user.username(), maxFailures() - 1);

        // then: the count started over, so the right password still works
        login(user.username(), user.password()).then().statusCode(200);
    }

    private int maxFailures() {
        return config.throttle().maxFailures();
    }

    private static void failLogins(String username, int times) {
        for (int i = 0; i < times; i++) {
            login(username, "wrong-password-" + i).then().statusCode(401);
        }
    }

    private static Response login(String username, String password) {
        return given().auth().preemptive().basic(username, password).when().post("/login");
    }
}
