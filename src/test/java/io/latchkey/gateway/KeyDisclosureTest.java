package io.latchkey.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.key.ActiveKey;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Which keys GET /keys/{kid} hands out under each setting of LATCHKEY_KEYS_PUBLIC and LATCHKEY_KEYS_ADMIN. Plain JUnit. */
class KeyDisclosureTest {

    @Test
    void adminHmacKeyIsRefusedByDefault() {
        assertFalse(KeyDisclosure.servedToClient(hmacKey("admin"), keys(Map.of())));
    }

    @Test
    void adminHmacKeyIsServedWhenKeysAdminIsTrue() {
        assertTrue(KeyDisclosure.servedToClient(hmacKey("admin"), keys(Map.of("latchkey.keys.admin", "true"))));
    }

    @Test
    void hmacKeyOfAnotherUserIsServedToAClient() {
        assertTrue(KeyDisclosure.servedToClient(hmacKey("reader"), keys(Map.of())));
    }

    @Test
    void adminEd25519KeyIsServedToAClient() throws Exception {
        assertTrue(KeyDisclosure.servedToClient(ed25519Key("admin"), keys(Map.of())));
    }

    @Test
    void ed25519KeyNeedsAClientUnlessKeysArePublic() throws Exception {
        assertFalse(KeyDisclosure.servedWithoutClient(ed25519Key("reader"), keys(Map.of())));
        assertTrue(KeyDisclosure.servedWithoutClient(ed25519Key("reader"),
                keys(Map.of("latchkey.keys.public", "true"))));
    }

    @Test
    void hmacKeyNeverGoesWithoutAClient() {
        assertFalse(KeyDisclosure.servedWithoutClient(hmacKey("reader"),
                keys(Map.of("latchkey.keys.public", "true", "latchkey.keys.admin", "true"))));
    }

    private static ActiveKey hmacKey(String role) {
        return new ActiveKey(UUID.randomUUID().toString(), UUID.randomUUID(), "someone", List.of(role),
                KeyAlgorithm.HS256, new SecretKeySpec(new byte[32], "HmacSHA256"));
    }

    private static ActiveKey ed25519Key(String role) throws Exception {
        return new ActiveKey(UUID.randomUUID().toString(), UUID.randomUUID(), "someone", List.of(role),
                KeyAlgorithm.EdDSA, KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
    }

    private static LatchkeyConfig.Keys keys(Map<String, String> settings) {
        return new SmallRyeConfigBuilder().withMapping(LatchkeyConfig.class).withDefaultValues(settings).build()
                .getConfigMapping(LatchkeyConfig.class).keys();
    }
}
