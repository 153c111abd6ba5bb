package io.latchkey.key;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.latchkey.config.LatchkeyConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Encrypts signing secrets at rest with AES-256-GCM under the master key from configuration. Each
 * ciphertext is {@code version || 12-byte nonce || ciphertext+tag}. Version 2 is bound to its {@link KeyBinding}
 * (kid, user, algorithm, public key) as associated data, so a ciphertext moved to another row or user, or a row
 * whose algorithm or public key was changed, does not decrypt. Version 1 (bound to the kid alone) is only read to
 * rewrite it as version 2 ({@link #rebind}, at start-up).
 */
@Startup(1) // first of all: a missing or bad master key must stop the service at start, not at the first login
@ApplicationScoped
public class SecretCipher {

    private static final Logger LOG = Logger.getLogger(SecretCipher.class);
    private static final byte LEGACY_VERSION = 1;
    private static final byte VERSION = 2;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    static final int MASTER_KEY_BYTES = 32;

    private final SecretKey masterKey;
    private final SecureRandom random = new SecureRandom();

    @Inject
    public SecretCipher(LatchkeyConfig config) {
        LaunchMode mode = LaunchMode.current();
        this.masterKey = masterKey(config.masterKey(), mode != LaunchMode.NORMAL || config.allowEphemeralMasterKey());
    }

    static SecretKey masterKey(Optional<String> configured, LaunchMode mode) {
        return masterKey(configured, mode != LaunchMode.NORMAL);
    }

    private static SecretKey masterKey(Optional<String> configured, boolean ephemeralAllowed) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(configured.get().trim());
            } catch (IllegalArgumentException e) {
                key = new byte[0];
            }
            if (key.length != MASTER_KEY_BYTES) {
                throw new ConfigurationException("LATCHKEY_MASTER_KEY must be the Base64 of exactly 32 random bytes "
                        + "(generate one with: openssl rand -base64 32)");
            }
            return new SecretKeySpec(key, "AES");
        }
        if (!ephemeralAllowed) {
            throw new ConfigurationException("LATCHKEY_MASTER_KEY is not set; Latchkey will not start in production "
                    + "without it (generate one with: openssl rand -base64 32)");
        }
        LOG.warn("LATCHKEY_MASTER_KEY is not set: using a random master key for this run; "
                + "signing secrets stored now cannot be decrypted after a restart");
        byte[] key = new byte[MASTER_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return new SecretKeySpec(key, "AES");
    }

    /** A key for another purpose, derived from the master key (HMAC-SHA256 of {@code label}), never the master key. */
    SecretKey derivedKey(String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(masterKey.getEncoded(), "HmacSHA256"));
            return new SecretKeySpec(mac.doFinal(label.getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    byte[] encrypt(byte[] secret, KeyBinding binding) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(binding.associatedData());
            byte[] sealed = cipher.doFinal(secret);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    byte[] decrypt(byte[] stored, KeyBinding binding) {
        if (stored.length < 1 + NONCE_BYTES || stored[0] != VERSION) {
            throw new IllegalStateException("Unknown format of the stored secret of key " + binding.kid());
        }
        return open(stored, binding.associatedData(), binding.kid());
    }

    /** Whether {@code stored} is in the version 1 format, which {@link #rebind} upgrades. */
    static boolean isLegacy(byte[] stored) {
        return stored.length > 0 && stored[0] == LEGACY_VERSION;
    }

    /** A version 1 ciphertext (bound to the kid alone) re-encrypted as version 2, bound to {@code binding}. */
    byte[] rebind(byte[] legacy, KeyBinding binding) {
        if (!isLegacy(legacy) || legacy.length < 1 + NONCE_BYTES) {
            throw new IllegalStateException("The stored secret of key " + binding.kid() + " is not version 1");
        }
        byte[] secret = open(legacy, binding.kid().getBytes(StandardCharsets.UTF_8), binding.kid());
        try {
            return encrypt(secret, binding);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private byte[] open(byte[] stored, byte[] associatedData, String kid) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The secret of key " + kid
                    + " does not decrypt: was LATCHKEY_MASTER_KEY changed, or the row altered?", e);
        }
    }
}
