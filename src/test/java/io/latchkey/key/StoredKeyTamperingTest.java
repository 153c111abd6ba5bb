package io.latchkey.key;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.security.Key;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.token.TokenForge;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Someone who can write the keys table but lacks the master key: a stored key moved to another user, or a
 * ciphertext altered, no longer decrypts. Such a key verifies nothing and is served to no one (404); a login
 * that needs it answers a clean 503, never a 500.
 */
@QuarkusTest
class StoredKeyTamperingTest {

    @Inject
    KeyService keys;
    @Inject
    EntityManager entityManager;
    @Inject
    LatchkeyConfig config;

    @Test
    void hmacSecretMovedToAnotherUserDoesNotVerifyTheirTokens() {
        // given: an attacker who knows their own HMAC secret (say, through keys:read) moves that key's row to an admin
        TestUser attacker = TestApi.createUser("tamper-attacker");
        TestUser admin = TestApi.createUser("tamper-admin", "admin");
        ActiveKey attackersKey = keys.findCurrentKeyOf(attacker.id()).orElseThrow();
        Key knownSecret = attackersKey.verificationKey();
        moveKey(attackersKey.kid(), admin.id());

        // when: a token for the admin signed with the known secret, under the moved kid
        String forged = TokenForge.hs256(new TokenForge(config).validClaims(admin.id(), admin.username()),
                attackersKey.kid(), knownSecret);

        // then
        assertFalse(TestApi.isActive(forged));
        given().auth().oauth2(forged).when().get("/users/current").then().statusCode(401);
    }

    @Test
    void keyThatDoesNotDecryptIsA503AtLoginAndNotFoundAtKeysNeverA500() {
        // given: a user whose stored key was altered (or the master key changed) before anything cached it
        TestUser user = TestApi.createUser("tamper-broken");
        String kid = QuarkusTransaction.requiringNew().call(() -> (String) entityManager.createNativeQuery(
                "UPDATE signing_keys SET secret_ciphertext = set_byte(secret_ciphertext, 20, "
                        + "get_byte(secret_ciphertext, 20) # 1) WHERE user_id = :user AND retired_at IS NULL "
                        + "RETURNING kid")
                .setParameter("user", user.id()).getSingleResult());
        TestClient keyReader = TestApi.createClient("keys:read");

        // then
        given().auth().preemptive().basic(user.username(), user.password())
                .when().post("/login")
                .then().statusCode(503).body("error", equalTo("temporarily_unavailable"));
        given().auth().preemptive().basic(keyReader.clientId(), keyReader.secret())
                .when().get("/keys/" + kid)
                .then().statusCode(404).body("error", equalTo("not_found"));
    }

    private void moveKey(String kid, UUID toUser) {
        QuarkusTransaction.requiringNew().run(() -> {
            entityManager.createNativeQuery("UPDATE signing_keys SET retired_at = now() "
                    + "WHERE user_id = :user AND retired_at IS NULL").setParameter("user", toUser).executeUpdate();
            entityManager.createNativeQuery("UPDATE signing_keys SET user_id = :user WHERE kid = :kid")
                    .setParameter("user", toUser).setParameter("kid", kid).executeUpdate();
        });
    }
}
