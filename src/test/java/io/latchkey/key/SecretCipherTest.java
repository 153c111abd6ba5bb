package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.SecretKey;

import org.junit.jupiter.api.Test;

import io.latchkey.config.LatchkeyConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigurationException;

/** AES-256-GCM encryption of signing secrets at rest, and the master key it needs. Plain JUnit. */
class SecretCipherTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void encryptedSecretDecryptsToTheOriginal() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] secret = random(32);

        // when
        byte[] stored = cipher.encrypt(secret, "kid-1");

        // then
        assertArrayEquals(secret, cipher.decrypt(stored, "kid-1"));
    }

    @Test
    void sameSecretEncryptsDifferentlyEachTime() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] secret = random(32);

        // when
        byte[] first = cipher.encrypt(secret, "kid-1");
        byte[] second = cipher.encrypt(secret, "kid-1");

        // then: a fresh nonce each time
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void storedFormDoesNotContainTheSecret() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] secret = random(32);

        // when
        byte[] stored = cipher.encrypt(secret, "kid-1");

        // then
        assertFalse(contains(stored, secret));
    }

    @Test
    void tamperedCiphertextDoesNotDecrypt() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), "kid-1");

        // when: one bit of the sealed part flipped
        stored[stored.length - 20] ^= 0x01;

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, "kid-1"));
    }

    @Test
    void tamperedNonceDoesNotDecrypt() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), "kid-1");

        // when
        stored[1] ^= 0x01;

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, "kid-1"));
    }

    @Test
    void ciphertextIsBoundToItsKid() {
        // given: a stored secret copied to another key's row
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), "kid-1");

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, "kid-2"));
    }

    @Test
    void ciphertextDoesNotDecryptUnderAnotherMasterKey() {
        // given
        byte[] stored = cipherWith(randomMasterKey()).encrypt(random(32), "kid-1");

        // then
        assertThrows(IllegalStateException.class, () -> cipherWith(randomMasterKey()).decrypt(stored, "kid-1"));
    }

    @Test
    void storedFormOfAnotherVersionIsRefused() {
        // given: the version byte is not authenticated, so only the explicit check stops another format
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), "kid-1");

        // when
        stored[0] = 2;

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, "kid-1"));
    }

    @Test
    void storedFormShorterThanItsHeaderIsRefused() {
        SecretCipher cipher = cipherWith(randomMasterKey());

        assertThrows(IllegalStateException.class, () -> cipher.decrypt(new byte[] {1, 0, 0}, "kid-1"));
    }

    @Test
    void decryptionFailureNamesTheKeyAndTheLikelyCause() {
        // given
        byte[] stored = cipherWith(randomMasterKey()).encrypt(random(32), "kid-1");

        // when
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cipherWith(randomMasterKey()).decrypt(stored, "kid-1"));

        // then
        assertTrue(e.getMessage().contains("kid-1") && e.getMessage().contains("LATCHKEY_MASTER_KEY"), e.getMessage());
    }

    @Test
    void masterKeyOf32BytesIsAccepted() {
        // when
        SecretKey key = SecretCipher.masterKey(Optional.of(Base64.getEncoder().encodeToString(random(32))),
                LaunchMode.NORMAL);

        // then
        assertEquals(32, key.getEncoded().length);
        assertEquals("AES", key.getAlgorithm());
    }

    @Test
    void masterKeyShorterThan32BytesIsRefused() {
        assertRefusedAsMasterKey(Optional.of(Base64.getEncoder().encodeToString(random(31))), LaunchMode.NORMAL);
    }

    @Test
    void masterKeyLongerThan32BytesIsRefused() {
        assertRefusedAsMasterKey(Optional.of(Base64.getEncoder().encodeToString(random(33))), LaunchMode.NORMAL);
    }

    @Test
    void wrongLengthMasterKeyIsRefusedInDevelopmentToo() {
        assertRefusedAsMasterKey(Optional.of(Base64.getEncoder().encodeToString(random(16))), LaunchMode.DEVELOPMENT);
    }

    @Test
    void masterKeyThatIsNotBase64IsRefused() {
        assertRefusedAsMasterKey(Optional.of("this is not base64 at all!"), LaunchMode.NORMAL);
    }

    @Test
    void missingMasterKeyIsRefusedInProduction() {
        assertRefusedAsMasterKey(Optional.empty(), LaunchMode.NORMAL);
    }

    @Test
    void blankMasterKeyIsRefusedInProduction() {
        assertRefusedAsMasterKey(Optional.of("   "), LaunchMode.NORMAL);
    }

    @Test
    void missingMasterKeyIsGeneratedInTestMode() {
        // when
        SecretKey key = SecretCipher.masterKey(Optional.empty(), LaunchMode.TEST);

        // then
        assertEquals(32, key.getEncoded().length);
    }

    @Test
    void refusedMasterKeyIsNotEchoedInTheError() {
        // given
        String wrong = Base64.getEncoder().encodeToString(random(31));

        // when
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> SecretCipher.masterKey(Optional.of(wrong), LaunchMode.NORMAL));

        // then
        assertFalse(e.getMessage().contains(wrong));
    }

    private static void assertRefusedAsMasterKey(Optional<String> configured, LaunchMode mode) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> SecretCipher.masterKey(configured, mode));
        // one clear line that names the setting
        assertTrue(e.getMessage().contains("LATCHKEY_MASTER_KEY"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static SecretCipher cipherWith(String masterKeyBase64) {
        LatchkeyConfig config = (LatchkeyConfig) Proxy.newProxyInstance(LatchkeyConfig.class.getClassLoader(),
                new Class<?>[] { LatchkeyConfig.class }, (proxy, method, args) -> {
                    return switch (method.getName()) {
                        case "masterKey" -> Optional.of(masterKeyBase64);
                        case "allowEphemeralMasterKey" -> false;
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
        return new SecretCipher(config);
    }

    private static String randomMasterKey() {
        return Base64.getEncoder().encodeToString(random(32));
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return b;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
