package io.latchkey.key;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

import io.latchkey.config.KeyAlgorithm;

/**
 * Everything a stored key's ciphertext is bound to (its AES-GCM associated data): the kid, the owning user, the
 * algorithm and, for Ed25519, the public key kept beside it in the clear. Whoever can write the database but
 * lacks the master key cannot move a secret to another user (say, their own known HMAC secret to an admin),
 * change how a key is used, or swap an Ed25519 public key: the row no longer decrypts.
 */
record KeyBinding(String kid, UUID userId, KeyAlgorithm algorithm, byte[] publicKey) {

    /** Length-prefixed fields, so no two bindings share an encoding. */
    byte[] associatedData() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF("latchkey signing key v2");
            out.writeUTF(kid);
            out.writeUTF(userId.toString());
            out.writeUTF(algorithm.name());
            byte[] pub = publicKey == null ? new byte[0] : publicKey;
            out.writeInt(pub.length);
            out.write(pub);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // never: an in-memory stream
        }
        return bytes.toByteArray();
    }

    @Override
    public String toString() {
        return "KeyBinding[kid=" + kid + ", userId=" + userId + ", algorithm=" + algorithm + "]";
    }
}
