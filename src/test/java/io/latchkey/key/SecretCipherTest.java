package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigurationException;

/** AES-256-GCM encryption of signing secrets at rest, and the master key it needs. Plain JUnit. */
@Tag("plain")
class SecretCipherTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final UUID USER = UUID.randomUUID();
    private static final KeyBinding KID_1 = new KeyBinding("kid-1", USER, KeyAlgorithm.HS256, null);
    private static final KeyBinding KID_2 = new KeyBinding("kid-2", USER, KeyAlgorithm.HS256, null);

    @Test
    void encryptedSecretDecryptsToTheOriginal() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] secret = random(32);

        // when
        byte[] stored = cipher.encrypt(secret, KID_1);

        // then
        assertArrayEquals(secret, cipher.decrypt(stored, KID_1));
    }

    @Test
    void sameSecretEncryptsDifferentlyEachTime() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] secret = random(32);

        // when
        byte[] first = cipher.encrypt(secret, KID_1);
        byte[] second = cipher.encrypt(secret, KID_1);

        // then: a fresh nonce each time
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void storedFormDoesNotContainTheSecret() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] secret = random(32);

        // when
        byte[] stored = cipher.encrypt(secret, KID_1);

        // then
        assertFalse(contains(stored, secret));
    }

    @Test
    void tamperedCiphertextDoesNotDecrypt() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), KID_1);

        // when: one bit of the sealed part flipped
        stored[stored.length - 20] ^= 0x01;

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, KID_1));
    }

    @Test
    void tamperedNonceDoesNotDecrypt() {
        // given
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), KID_1);

        // when
        stored[1] ^= 0x01;

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, KID_1));
    }

    @Test
    void ciphertextIsBoundToItsKid() {
        // given: a stored secret copied to another key's row
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), KID_1);

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, KID_2));
    }

    @Test
    void ciphertextIsBoundToItsUser() {
        // given: a stored secret whose row was given to another user (an attacker's known secret, to an admin)
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), KID_1);

        // then
        assertThrows(IllegalStateException.class,
                () -> cipher.decrypt(stored, new KeyBinding("kid-1", UUID.randomUUID(), KeyAlgorithm.HS256, null)));
    }

    @Test
    void ciphertextIsBoundToItsAlgorithm() {
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), KID_1);

        assertThrows(IllegalStateException.class,
                () -> cipher.decrypt(stored, new KeyBinding("kid-1", USER, KeyAlgorithm.EdDSA, random(44))));
    }

    @Test
    void ciphertextIsBoundToItsAlgorithmEvenWithoutAPublicKey() {
        // given: the same kid, user and (no) public key; only the algorithm differs
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), KID_1);

        // then
        assertThrows(IllegalStateException.class,
                () -> cipher.decrypt(stored, new KeyBinding("kid-1", USER, KeyAlgorithm.EdDSA, null)));
    }

    @Test
    void emptyStoredFormIsNotLegacy() {
        assertFalse(SecretCipher.isLegacy(new byte[0]));
    }

    @Test
    void ed25519PrivateKeyIsBoundToItsStoredPublicKey() {
        // given: the public key beside the ciphertext replaced by one whose private key the attacker holds
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] publicKey = random(44);
        byte[] stored = cipher.encrypt(random(48), new KeyBinding("kid-1", USER, KeyAlgorithm.EdDSA, publicKey));

        // then
        assertThrows(IllegalStateException.class,
                () -> cipher.decrypt(stored, new KeyBinding("kid-1", USER, KeyAlgorithm.EdDSA, random(44))));
    }

    @Test
    void aSecretStoredInTheVersion2FormatStillDecrypts() {
        // given: a row written by hand to the documented format (associated data: a label, then kid, user and
        // algorithm as length-prefixed UTF-8, then the public key's length and bytes), under a known master key
        byte[] masterKey = new byte[32];
        for (int i = 0; i < masterKey.length; i++) {
            masterKey[i] = (byte) (i + 1);
        }
        KeyBinding binding = new KeyBinding("018f2c1e-7a3b-8c4d-9e5f-0a1b2c3d4e5f",
                UUID.fromString("6b1f9c2e-3d4a-4b5c-8d6e-7f8091a2b3c4"), KeyAlgorithm.EdDSA, new byte[] {1, 2, 3});
        byte[] stored = java.util.HexFormat.of().parseHex("026465666768696a6b6c6d6e6fa896b9875d4f72b628867d4bccf92eeb2c"
                + "46c210233b29de4033001c9d040f94e01e30291a3b887c77762c8352cd1e30");

        // when
        byte[] secret = cipherWith(Base64.getEncoder().encodeToString(masterKey)).decrypt(stored, binding);

        // then: every key stored so far stays usable
        byte[] expected = new byte[32];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (200 + i);
        }
        assertArrayEquals(expected, secret);
    }

    @Test
    void legacyCiphertextIsNotReadWithoutRebinding() {
        String masterKey = randomMasterKey();
        byte[] legacy = legacyCiphertext(masterKey, random(32), "kid-1");

        assertThrows(IllegalStateException.class, () -> cipherWith(masterKey).decrypt(legacy, KID_1));
    }

    @Test
    void legacyCiphertextIsReboundToItsKeysUser() {
        // given: a secret stored before the user was bound (associated data: the kid alone)
        String masterKey = randomMasterKey();
        SecretCipher cipher = cipherWith(masterKey);
        byte[] secret = random(32);
        byte[] legacy = legacyCiphertext(masterKey, secret, "kid-1");
        assertTrue(SecretCipher.isLegacy(legacy));

        // when
        byte[] rebound = cipher.rebind(legacy, KID_1);

        // then: the secret is unchanged, and now bound to that user too
        assertFalse(SecretCipher.isLegacy(rebound));
        assertArrayEquals(secret, cipher.decrypt(rebound, KID_1));
        assertThrows(IllegalStateException.class,
                () -> cipher.decrypt(rebound, new KeyBinding("kid-1", UUID.randomUUID(), KeyAlgorithm.HS256, null)));
    }

    @Test
    void ciphertextDoesNotDecryptUnderAnotherMasterKey() {
        // given
        byte[] stored = cipherWith(randomMasterKey()).encrypt(random(32), KID_1);

        // then
        assertThrows(IllegalStateException.class, () -> cipherWith(randomMasterKey()).decrypt(stored, KID_1));
    }

    @Test
    void storedFormOfAnotherVersionIsRefused() {
        // given: the version byte is not authenticated, so only the explicit check stops another format
        SecretCipher cipher = cipherWith(randomMasterKey());
        byte[] stored = cipher.encrypt(random(32), KID_1);

        // when
        stored[0] = 3;

        // then
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(stored, KID_1));
    }

    @Test
    void storedFormShorterThanItsHeaderIsRefused() {
        SecretCipher cipher = cipherWith(randomMasterKey());

        assertThrows(IllegalStateException.class, () -> cipher.decrypt(new byte[] {2, 0, 0}, KID_1));
    }

    @Test
    void decryptionFailureNamesTheKeyAndTheLikelyCause() {
        // given
        byte[] stored = cipherWith(randomMasterKey()).encrypt(random(32), KID_1);

        // when
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cipherWith(randomMasterKey()).decrypt(stored, KID_1));

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

    /** The version 1 format as earlier releases stored it: 1 || nonce || AES-GCM with the kid as associated data. */
    static byte[] legacyCiphertext(String masterKey, byte[] secret, String kid) {
        try {
            byte[] nonce = random(12);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Base64.getDecoder().decode(masterKey), "AES"),
                    new GCMParameterSpec(128, nonce));
            aes.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = aes.doFinal(secret);
            return ByteBuffer.allocate(1 + nonce.length + sealed.length).put((byte) 1).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
