package io.latchkey.key;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
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
 * ciphertext is {@code version || 12-byte nonce || ciphertext+tag}, bound to its kid as associated data so a
 * ciphertext moved to another row does not decrypt.
 */
@Startup(1) // first of all: a missing or bad master key must stop the service at start, not at the first login
@ApplicationScoped
public class SecretCipher {

    private static final Logger LOG = Logger.getLogger(SecretCipher.class);
    private static final byte VERSION = 1;
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

    byte[] encrypt(byte[] secret, String kid) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    byte[] decrypt(byte[] stored, String kid) {
        if (stored.length < 1 + NONCE_BYTES || stored[0] != VERSION) {
            throw new IllegalStateException("Unknown format of the stored secret of key " + kid);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, masterKey, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The secret of key " + kid
                    + " does not decrypt: was LATCHKEY_MASTER_KEY changed?", e);
        }
    }
}
