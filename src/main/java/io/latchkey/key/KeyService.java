package io.latchkey.key;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeFeed;
import io.latchkey.ops.LatchkeyMetrics;

/** Creates, rotates and reads users' signing keys; the secrets leave the database only decrypted in memory. */
@ApplicationScoped
public class KeyService {

    /** 256 bits: the HS256 key size (RFC 7518 section 3.2). */
    static final int SECRET_BYTES = 32;

    private final SecureRandom random = new SecureRandom();

    @Inject
    EntityManager entityManager;
    @Inject
    SecretCipher cipher;
    @Inject
    ChangeFeed changes;
    @Inject
    LatchkeyMetrics metrics;
    @Inject
    Clock clock;

    /** Gives a new user their first key, in the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public SigningKey createFor(UUID userId) {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        String kid = UUID.randomUUID().toString();
        SigningKey key = new SigningKey(kid, userId, cipher.encrypt(secret, kid), now());
        Arrays.fill(secret, (byte) 0);
        entityManager.persist(key);
        return key;
    }

    /**
     * Retires the user's current key and gives them a new one: every token signed before is invalid once the
     * transaction commits, on every instance.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public SigningKey rotate(UUID userId) {
        entityManager.createQuery("UPDATE SigningKey k SET k.retiredAt = :now WHERE k.userId = :user AND k.retiredAt IS NULL")
                .setParameter("now", now())
                .setParameter("user", userId)
                .executeUpdate();
        entityManager.flush();
        SigningKey key = createFor(userId);
        changes.publish(Change.user(userId));
        metrics.keyRotated();
        return key;
    }

    /** The key named {@code kid} if it is current and its user exists and is enabled. */
    public Optional<ActiveKey> loadActive(String kid) {
        return current("k.kid = :match AND u.enabled = true", kid);
    }

    /** The user's current key, to sign a token with; empty when the user is gone. */
    public Optional<ActiveKey> findCurrentKeyOf(UUID userId) {
        return current("k.userId = :match", userId);
    }

    private Optional<ActiveKey> current(String condition, Object match) {
        List<Object[]> rows = entityManager.createQuery(
                "SELECT k, u.username, u.roles FROM SigningKey k, User u WHERE " + condition
                        + " AND k.retiredAt IS NULL AND u.id = k.userId", Object[].class)
                .setParameter("match", match)
                .getResultList();
        return rows.stream().findFirst()
                .map(row -> decrypted((SigningKey) row[0], (String) row[1], List.of((String[]) row[2])));
    }

    private ActiveKey decrypted(SigningKey key, String username, List<String> roles) {
        byte[] secret = cipher.decrypt(key.secretCiphertext(), key.kid());
        try {
            return new ActiveKey(key.kid(), key.userId(), username, roles, new SecretKeySpec(secret, "HmacSHA256"));
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
