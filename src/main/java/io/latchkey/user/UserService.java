package io.latchkey.user;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;

import org.jboss.logging.Logger;

import io.latchkey.cluster.Change;
import io.latchkey.cluster.ChangeLog;
import io.latchkey.common.Transactions;
import io.latchkey.error.Refusal;
import io.latchkey.key.KeyForSigning;
import io.latchkey.key.KeyService;
import io.latchkey.key.SealedKey;
import io.latchkey.key.SigningKey;
import io.latchkey.ops.LatchkeyMetrics;

/**
 * Users and their passwords. Password hashing runs outside database transactions (it takes tens of
 * milliseconds and would hold a connection); every change that must end a user's sessions rotates their key.
 */
@ApplicationScoped
public class UserService {

    private static final Logger LOG = Logger.getLogger(UserService.class);
    private static final String LOGIN_ACCOUNT = "SELECT u.password_hash, u.enabled, " + SealedKey.COLUMNS
            + " FROM users u JOIN signing_keys k ON k.user_id = u.id AND k.retired_at IS NULL WHERE u.username = ?";

    /** What a login reads before the hash; {@code toString} names no secret. */
    private record LoginAccount(String passwordHash, boolean enabled, SealedKey key) {
        @Override
        public String toString() {
            return "LoginAccount[enabled=" + enabled + ", key=" + key + "]";
        }
    }

    @Inject
    EntityManager entityManager;
    @Inject
    DataSource dataSource;
    @Inject
    Transactions transactions;
    @Inject
    Passwords passwords;
    @Inject
    KeyService keys;
    @Inject
    ChangeLog changes;
    @Inject
    LatchkeyMetrics metrics;
    @Inject
    Clock clock;

    /** What an administrator may change on a user; absent fields stay as they are. */
    public record UserChanges(Optional<Boolean> enabled, Optional<List<String>> roles, Optional<String> password) {
        @Override
        public String toString() {
            return "UserChanges[enabled=" + enabled + ", roles=" + roles + ", password="
                    + password.map(p -> "<redacted>").orElse("unchanged") + "]";
        }
    }

    public record Page(List<User> users, long total) {
    }

    /** A rotation's new current key. */
    public record Rotation(String kid, Instant createdAt) {
    }

    public User create(String rawUsername, String password, List<String> rawRoles) {
        String username = Usernames.normalize(rawUsername);
        Passwords.checkAcceptable(password);
        List<String> roles = Roles.validate(rawRoles);
        String hash = passwords.hash(password);
        try {
            return transactions.callInNew(() -> {
                if (findByUsername(username).isPresent()) {
                    throw Refusal.conflict("That username is taken.");
                }
                User user = new User(UUID.randomUUID(), username, hash, roles, now());
                entityManager.persist(user);
                entityManager.flush();
                keys.createFor(user.id());
                return user;
            });
        } catch (PersistenceException e) {
            throw Refusal.conflict("That username is taken."); // lost a race with a concurrent create
        }
    }

    /**
     * The user's current key, decrypted, if the user exists, is enabled and the password matches; costs one hash
     * always, and decrypts only after a match. The key is read in the same statement as the password hash, so a
     * credential change (which rotates the key) cannot fall between them: sign only with this key, and hand the
     * token out only while it is still current ({@code Sessions.record} checks that as it records the login).
     * Plain JDBC, one auto-commit read: the login path pays no Hibernate session or transaction.
     */
    public Optional<KeyForSigning> authenticate(String rawUsername, String password) {
        Optional<LoginAccount> account = Usernames.parse(rawUsername).flatMap(this::readForLogin);
        boolean matches = passwords.matches(password, account.map(LoginAccount::passwordHash).orElse(null));
        return account.filter(found -> matches && found.enabled()).map(found -> keys.unseal(found.key()));
    }

    /** The password hash, status and current key of the user named {@code username}, as one row. */
    private Optional<LoginAccount> readForLogin(String username) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(LOGIN_ACCOUNT)) {
            statement.setString(1, username);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                SealedKey key = SealedKey.read(row, 3, UnaryOperator.identity());
                return Optional.of(new LoginAccount(row.getString(1), row.getBoolean(2), key));
            }
        } catch (SQLException e) {
            LOG.warnf("Reading a user to log in failed (%s)", e.getClass().getSimpleName());
            throw Refusal.loginsUnavailable();
        }
    }

    public Optional<User> find(UUID id) {
        return Optional.ofNullable(entityManager.find(User.class, id));
    }

    public Optional<User> findByUsername(String normalizedUsername) {
        @SuppressWarnings("unchecked")
        Optional<User> user = entityManager.createNativeQuery("SELECT * FROM users WHERE username = ?1", User.class)
                .setParameter(1, normalizedUsername)
                .setMaxResults(1).getResultList().stream().findFirst();
        return user;
    }

    public boolean anyAdminExists() {
        return !entityManager.createNativeQuery("SELECT 1 FROM users WHERE :admin = ANY(roles) LIMIT 1")
                .setParameter("admin", Roles.ADMIN).getResultList().isEmpty();
    }

    public Page list(int offset, int limit) {
        @SuppressWarnings("unchecked")
        List<User> users = entityManager.createNativeQuery("SELECT * FROM users ORDER BY created_at, id", User.class)
                .setFirstResult(offset).setMaxResults(limit).getResultList();
        long total = ((Number) entityManager.createNativeQuery("SELECT count(*) FROM users").getSingleResult())
                .longValue();
        return new Page(users, total);
    }

    /** Applies {@code changes}; disabling, a new password or new roles end all of the user's sessions. */
    public User update(UUID id, UserChanges requested) {
        requested.password().ifPresent(Passwords::checkAcceptable);
        Optional<List<String>> roles = requested.roles().map(Roles::validate);
        Optional<String> hash = requested.password().map(passwords::hash);
        return transactions.callInNew(() -> {
            User user = lockForChange(id);
            Instant now = now();
            boolean endSessions = false;
            boolean disabling = user.enabled() && requested.enabled().filter(enabled -> !enabled).isPresent();
            if (requested.enabled().isPresent() && requested.enabled().get() != user.enabled()) {
                user.setEnabled(requested.enabled().get(), now);
                endSessions = true;
            }
            if (roles.isPresent() && !roles.get().equals(user.roles())) {
                user.setRoles(roles.get(), now);
                endSessions = true;
            }
            if (hash.isPresent()) {
                user.setPasswordHash(hash.get(), now);
                endSessions = true;
            }
            if (endSessions) {
                keys.rotate(user.id());
                metrics.userTokensRevoked();
            }
            if (disabling) {
                changes.append(Change.userDisabled(user.id()));
            }
            return user;
        });
    }

    /** Rotates the user's key: every token they hold is invalid from now on. Returns the new key's kid and time. */
    public Rotation rotateKey(UUID id) {
        return transactions.callInNew(() -> {
            lockForChange(id);
            SigningKey key = keys.rotate(id);
            metrics.userTokensRevoked();
            return new Rotation(key.kid(), key.createdAt());
        });
    }

    public void delete(UUID id) {
        transactions.runInNew(() -> {
            User user = lockForChange(id);
            List<String> retired = keys.currentKids(id);
            entityManager.remove(user); // signing keys go with it (ON DELETE CASCADE)
            retired.forEach(kid -> changes.append(Change.keyRetired(kid, id)));
            changes.append(Change.userDeleted(id));
            metrics.userTokensRevoked();
        });
    }

    /** Concurrent changes to one user (rotate, patch, delete) take turns rather than collide. */
    private User lockForChange(UUID id) {
        User user = entityManager.find(User.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (user == null) {
            throw Refusal.notFound("No such user.");
        }
        return user;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
