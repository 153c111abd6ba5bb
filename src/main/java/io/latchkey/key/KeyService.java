package io.latchkey.key;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeLog;
import io.latchkey.cluster.DatabaseUnavailable;
import io.latchkey.common.Transactions;
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.ops.LatchkeyMetrics;
import io.quarkus.runtime.StartupEvent;

/** Creates, rotates and reads users' signing keys; the secrets leave the database only decrypted in memory. */
@ApplicationScoped
public class KeyService {

    private static final int MAX_ROLE_LISTS = 1000;
    private final ConcurrentHashMap<List<String>, List<String>> roleLists = new ConcurrentHashMap<>();

    private static final Logger LOG = Logger.getLogger(KeyService.class);
    /** A user's current key with the user's name and roles; a condition follows. */
    private static final String CURRENT_KEY = "SELECT " + SealedKey.COLUMNS
            + " FROM signing_keys k JOIN users u ON u.id = k.user_id WHERE k.retired_at IS NULL AND ";

    /** 256 bits: the HS256 key size (RFC 7518 section 3.2). */
    static final int SECRET_BYTES = 32;
    /** Whether any current key has algorithm ?1: a probe of index signing_keys_current_algorithm. */
    static final String ANY_CURRENT_OF_ALGORITHM =
            "SELECT 1 FROM signing_keys WHERE algorithm = ?1 AND retired_at IS NULL LIMIT 1";

    private final SecureRandom random = new SecureRandom();
    /** Algorithms of live keys: those current at start-up, the configured one, and any seen since. */
    private final Set<KeyAlgorithm> inUse = ConcurrentHashMap.newKeySet();

    @Inject
    EntityManager entityManager;
    @Inject
    DataSource dataSource;
    @Inject
    Transactions transactions;
    @Inject
    SecretCipher cipher;
    @Inject
    Kids kids;
    @Inject
    ChangeLog changes;
    @Inject
    LatchkeyMetrics metrics;
    @Inject
    Clock clock;
    @Inject
    LatchkeyConfig config;

    void noteAlgorithmsInUse(@Observes StartupEvent started) {
        inUse.add(config.signingAlgorithm());
        // one index probe per algorithm (V11): a DISTINCT over the current keys took longer with every user
        transactions.runInNew(() -> {
            for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
                if (!entityManager.createNativeQuery(ANY_CURRENT_OF_ALGORITHM).setParameter(1, algorithm.name())
                        .getResultList().isEmpty()) {
                    inUse.add(algorithm);
                }
            }
        });
    }

    /**
     * The algorithms of live keys, as far as this instance knows: those current at its start, the configured one,
     * and those of keys it has read since (another instance may have another setting).
     */
    public Set<KeyAlgorithm> algorithmsInUse() {
        return Set.copyOf(inUse);
    }

    /** Gives a new user their first key, of the configured algorithm, in the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public SigningKey createFor(UUID userId) {
        return createFor(userId, config.signingAlgorithm());
    }

    /** As {@link #createFor(UUID)} with another algorithm: what an instance configured for it would do. */
    @Transactional(Transactional.TxType.MANDATORY)
    SigningKey createFor(UUID userId, KeyAlgorithm algorithm) {
        String kid = kids.mint();
        SigningKey key = switch (algorithm) {
            case HS256 -> {
                byte[] secret = new byte[SECRET_BYTES];
                random.nextBytes(secret);
                byte[] sealed = cipher.encrypt(secret, new KeyBinding(kid, userId, algorithm, null));
                Arrays.fill(secret, (byte) 0);
                yield new SigningKey(kid, userId, algorithm, sealed, null, now());
            }
            case EdDSA -> {
                KeyPair pair = ed25519Pair();
                byte[] privateKey = pair.getPrivate().getEncoded();
                byte[] publicKey = pair.getPublic().getEncoded();
                byte[] sealed = cipher.encrypt(privateKey, new KeyBinding(kid, userId, algorithm, publicKey));
                Arrays.fill(privateKey, (byte) 0);
                yield new SigningKey(kid, userId, algorithm, sealed, publicKey, now());
            }
        };
        entityManager.persist(key);
        return key;
    }

    /**
     * Retires the user's current key and gives them a new one: every token signed before is invalid once the
     * transaction commits, on every instance.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public SigningKey rotate(UUID userId) {
        return rotate(userId, config.signingAlgorithm());
    }

    /** As {@link #rotate(UUID)}, the new key of another algorithm: what an instance configured for it would do. */
    @Transactional(Transactional.TxType.MANDATORY)
    SigningKey rotate(UUID userId, KeyAlgorithm algorithm) {
        List<String> retired = currentKids(userId);
        entityManager.createNativeQuery("UPDATE signing_keys SET retired_at = ?1 WHERE user_id = ?2 AND retired_at IS NULL")
                .setParameter(1, now())
                .setParameter(2, userId)
                .executeUpdate();
        entityManager.flush();
        SigningKey key = createFor(userId, algorithm);
        retired.forEach(kid -> changes.append(Change.keyRetired(kid, userId)));
        metrics.keyRotated();
        return key;
    }

    /** The kids of the user's current key (one, or none for a user being created). */
    @SuppressWarnings("unchecked")
    public List<String> currentKids(UUID userId) {
        return entityManager.createNativeQuery("SELECT kid FROM signing_keys WHERE user_id = ?1 AND retired_at IS NULL")
                .setParameter(1, userId).getResultList();
    }

    /** The key named {@code kid} if it is current and its user exists and is enabled: what verifying needs. */
    public Optional<ActiveKey> loadActive(String kid) {
        if (!kids.mayExist(kid)) {
            return Optional.empty(); // a kid from a token this service did not mint: no query
        }
        return loadForSigning(kid).map(KeyForSigning::key);
    }

    /**
     * As {@link #loadActive}, with the key material that signs, for a kid that is looked up whatever its form. A
     * login does not come here: it reads the key with the user before the hash ({@link #unseal}) and records its
     * session only while that key is still current.
     */
    public Optional<KeyForSigning> loadForSigning(String kid) {
        // the key holds the caller's kid string: a cache's key and its value then share it (80 bytes per key held)
        return current("k.kid = ? AND u.enabled", kid)
                .map(found -> new KeyForSigning(found.key().withKid(kid), found.signingKey()));
    }

    /** The user's current key, whether or not the user is enabled; empty when the user is gone. */
    public Optional<ActiveKey> findCurrentKeyOf(UUID userId) {
        return current("k.user_id = ?", userId).map(KeyForSigning::key);
    }

    /**
     * Plain JDBC, one auto-commit read: a token check that misses the cache runs on a worker after its request may
     * have ended (the client went away), where a request-scoped Hibernate session would already be closed.
     */
    private Optional<KeyForSigning> current(String condition, Object match) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(CURRENT_KEY + condition)) {
            statement.setObject(1, match);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? Optional.of(unseal(SealedKey.read(row, 1, this::shared))) : Optional.empty();
            }
        } catch (SQLException e) {
            // as ChangeFeed.readThrough: an outage is the feed's to report, not each token check's
            LOG.debugf("Reading a signing key failed (%s)", e.getClass().getSimpleName());
            throw DatabaseUnavailable.INSTANCE;
        }
    }

    /**
     * One object per distinct role list: most users share one of a few lists, and the key cache holds up to
     * 100,000 keys, each with its list (about 70 bytes a copy). Bounded: cleared when full.
     */
    private List<String> shared(List<String> roles) {
        if (roleLists.size() >= MAX_ROLE_LISTS) {
            roleLists.clear();
        }
        List<String> known = roleLists.putIfAbsent(roles, roles);
        return known == null ? roles : known;
    }

    /**
     * The key with its secret decrypted; {@link UnusableKeyException} when it does not decrypt. Even for verifying,
     * an Ed25519 key's private half is decrypted (and dropped): the authenticated decryption is what proves the
     * stored row is one this service wrote.
     */
    public KeyForSigning unseal(SealedKey key) {
        inUse.add(key.algorithm());
        byte[] secret;
        try {
            secret = cipher.decrypt(key.secretCiphertext(), key.binding());
        } catch (IllegalStateException e) {
            // a master key changed or a row tampered with: refuse cleanly, whatever endpoint asked
            LOG.warnf("Signing key %s is unusable: %s", key.kid(), e.getMessage());
            throw new UnusableKeyException(key.kid());
        }
        try {
            return switch (key.algorithm()) {
                case HS256 -> {
                    SecretKeySpec hmac = new SecretKeySpec(secret, "HmacSHA256");
                    yield new KeyForSigning(new ActiveKey(key.kid(), key.userId(), key.username(), key.roles(),
                            key.algorithm(), hmac), hmac);
                }
                case EdDSA -> {
                    KeyFactory factory = KeyFactory.getInstance("Ed25519");
                    Key publicKey = factory.generatePublic(new X509EncodedKeySpec(key.publicKey()));
                    Key privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(secret));
                    yield new KeyForSigning(new ActiveKey(key.kid(), key.userId(), key.username(), key.roles(),
                            key.algorithm(), publicKey), privateKey);
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Stored Ed25519 key " + key.kid() + " does not decode", e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private KeyPair ed25519Pair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot make Ed25519 keys", e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
