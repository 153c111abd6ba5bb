package io.latchkey.key;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.latchkey.config.KeyAlgorithm;

/**
 * A user's current key as stored, its secret still encrypted, with the user's name and roles: what a login reads
 * before the password hash, and decrypts ({@link KeyService#unseal}) only once the password matched.
 */
public record SealedKey(String kid, UUID userId, String username, List<String> roles, KeyAlgorithm algorithm,
        byte[] secretCiphertext, byte[] publicKey) {

    /** What {@link #read} reads, in its order, from {@code signing_keys k JOIN users u}. */
    public static final String COLUMNS = "k.kid, k.user_id, u.username, u.roles, k.algorithm, k.secret_ciphertext,"
            + " k.public_key";

    /**
     * The key in the current row of {@code row}, read from its columns {@code first} on, selected as {@link #COLUMNS};
     * {@code roles} may swap the role list for an equal one.
     */
    public static SealedKey read(ResultSet row, int first, UnaryOperator<List<String>> roles) throws SQLException {
        return new SealedKey(row.getString(first), row.getObject(first + 1, UUID.class), row.getString(first + 2),
                roles.apply(List.of((String[]) row.getArray(first + 3).getArray())),
                KeyAlgorithm.valueOf(row.getString(first + 4)), row.getBytes(first + 5), row.getBytes(first + 6));
    }

    /** What the ciphertext is bound to. */
    KeyBinding binding() {
        return new KeyBinding(kid, userId, algorithm, publicKey);
    }

    @Override
    public String toString() {
        return "SealedKey[kid=" + kid + ", userId=" + userId + ", algorithm=" + algorithm + "]";
    }
}
