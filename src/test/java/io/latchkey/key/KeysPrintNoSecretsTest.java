package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.config.KeyAlgorithm;

/** A key printed (a log line, a debugger) names itself, never its secret. Plain JUnit. */
@Tag("plain")
class KeysPrintNoSecretsTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();

    @Test
    void signingKeyPrintsItsKidUserAndRetirementOnly() {
        UUID user = UUID.randomUUID();
        SigningKey key = new SigningKey("kid-1", user, KeyAlgorithm.HS256, SECRET.clone(), null,
                Instant.parse("2026-03-01T12:00:00Z"));

        assertEquals("SigningKey[kid=kid-1, userId=" + user + ", algorithm=HS256, retiredAt=null]", key.toString());
        assertEquals(KeyAlgorithm.HS256, key.algorithm());
        assertEquals("kid-1", key.kid());
        assertEquals(user, key.userId());
        assertEquals(Instant.parse("2026-03-01T12:00:00Z"), key.createdAt());
        assertEquals(new String(SECRET), new String(key.secretCiphertext()));
        assertEquals(null, key.publicKey());
        assertEquals("KeyBinding[kid=kid-1, userId=" + user + ", algorithm=HS256]", key.binding().toString());
    }

    @Test
    void ed25519SigningKeyKeepsItsPublicKeyInItsBinding() {
        UUID user = UUID.randomUUID();
        byte[] publicKey = new byte[44];
        SigningKey key = new SigningKey("kid-2", user, KeyAlgorithm.EdDSA, SECRET.clone(), publicKey, Instant.EPOCH);

        assertSame(publicKey, key.publicKey());
        assertSame(publicKey, key.binding().publicKey());
        assertEquals(user, key.binding().userId());
        assertEquals(KeyAlgorithm.EdDSA, key.binding().algorithm());
    }

    @Test
    void activeKeyPrintsItsKidAndUserOnly() {
        UUID user = UUID.randomUUID();
        ActiveKey key = new ActiveKey("kid-1", user, "alice", List.of("admin"), KeyAlgorithm.HS256,
                new SecretKeySpec(SECRET, "HmacSHA256"));

        assertEquals("ActiveKey[kid=kid-1, userId=" + user + ", algorithm=HS256]", key.toString());
        assertFalse(key.toString().contains(Base64.getEncoder().encodeToString(SECRET)));
        assertEquals("KeyForSigning[" + key + "]", new KeyForSigning(key, key.verificationKey()).toString());
    }
}
