package io.latchkey.session;

import static io.latchkey.common.Jdbc.at;
import static io.latchkey.common.Jdbc.bind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.error.Refusal;
import io.latchkey.key.ActiveKey;
import io.latchkey.token.IssuedToken;
import io.latchkey.token.Revocations;

/**
 * The sessions of each user: one per issued token, active while that token could still pass: not expired, not
 * revoked, signed with the user's current key (see V6). Ending one revokes its token exactly as a logout does.
 * Expired sessions are pruned as logins come.
 */
@ApplicationScoped
public class Sessions {

    private static final Logger LOG = Logger.getLogger(Sessions.class);
    static final int MAX_USER_AGENT_CHARS = 200;
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    /**
     * Records the session only while the key that signed its token is the user's current key and the user is
     * enabled: a rotation, a credential or role change, disabling or deleting the user during the password hash
     * leaves nothing to insert, and the token is not handed out.
     * <p>
     * FOR SHARE: the statement's snapshot does not see a change that commits while it runs (the session recorded
     * and a dead token handed out, or a deleted user failing the session's foreign key: a 503). Locking the rows
     * waits for a change in progress and re-checks them as it committed them (READ COMMITTED), and no change can
     * commit while the session goes in. FOR KEY SHARE would not wait for an UPDATE of retired_at or enabled.
     * Locked in the order named, the user then the key: the order every change takes them (UserService locks the
     * user, then retires its keys), so a login and a change cannot deadlock.
     */
    private static final String RECORD = """
            session AS (
                INSERT INTO sessions (jti, user_id, kid, issued_at, expires_at, address, user_agent)
                SELECT ?, k.user_id, k.kid, ?::timestamptz, ?::timestamptz, ?, ?
                FROM signing_keys k JOIN users u ON u.id = k.user_id AND u.enabled
                WHERE k.kid = ? AND k.retired_at IS NULL
                FOR SHARE OF u, k
                RETURNING 1
            )""";
    /** The condition under which a login's other writes, steps of the same statement, take effect. */
    static final String IF_RECORDED = "EXISTS (SELECT 1 FROM session)";
    /** Forgets the sessions whose token expired (with the leeway): a step of a login's statement, once a minute. */
    private static final String PRUNE = "pruned AS (DELETE FROM sessions WHERE expires_at < ?)";

    /** One active session; {@code current} when it is the caller's own token. */
    public record Session(String jti, Instant issuedAt, Instant expiresAt, String address, String userAgent,
            boolean current) {
    }

    @Inject
    EntityManager entityManager;
    @Inject
    DataSource dataSource;
    @Inject
    Revocations revocations;
    @Inject
    LatchkeyConfig config;
    @Inject
    Clock clock;

    private volatile Instant nextPrune = Instant.MIN;

    /**
     * Records the session of a token just issued, with {@code alsoWrite} (the throttle's record of the success,
     * guarded by {@link #IF_RECORDED}) in the same statement: one commit for the login's writes. False, and nothing
     * written, when the token's key is no longer the user's current key or the user is no longer enabled (changed
     * while the password was checked): the token must not be handed out. 503 when the writes cannot be stored.
     * Plain JDBC with auto-commit: one statement is atomic by itself, and each login then pays one round trip
     * instead of a transaction's begin, flush and commit through Hibernate and JTA.
     */
    boolean record(ActiveKey key, IssuedToken token, String address, String userAgent, WriteSteps alsoWrite) {
        Instant now = clock.instant();
        boolean prune = !now.isBefore(nextPrune);
        // issued_at to the microsecond: it orders logins within a second
        WriteSteps login = WriteSteps.of(RECORD, token.jti(), at(now.truncatedTo(ChronoUnit.MICROS)),
                at(token.expiresAt()), address, printable(userAgent), key.kid()).and(alsoWrite);
        WriteSteps writes = prune ? login.and(pruning(now)) : login;
        boolean recorded;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(writes.statement(IF_RECORDED))) {
            bind(statement, writes.parameters());
            try (ResultSet result = statement.executeQuery()) {
                recorded = result.next() && result.getBoolean(1);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Could not record a session (%s)", e.getClass().getSimpleName());
            throw Refusal.loginsUnavailable();
        }
        if (prune) {
            nextPrune = now.plus(PRUNE_EVERY);
        }
        return recorded;
    }

    /** Forgets the sessions whose token expired (with the leeway) before {@code now}. */
    void pruneExpired(Instant now) throws SQLException {
        run(pruning(now));
    }

    private WriteSteps pruning(Instant now) {
        return WriteSteps.of(PRUNE, at(now.minus(config.clockSkew())));
    }

    /** Runs {@code writes} as one statement on a connection of its own: auto-commit, so they commit together. */
    private void run(WriteSteps writes) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(writes.statement("1"))) {
            bind(statement, writes.parameters());
            statement.execute();
        }
    }

    /** The user's active sessions, newest first. */
    public List<Session> active(UUID userId, String callerJti) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("SELECT s.jti, s.issued_at, s.expires_at, s.address,"
                        + " s.user_agent FROM sessions s JOIN signing_keys k ON k.kid = s.kid AND k.retired_at IS NULL"
                        + " JOIN users u ON u.id = s.user_id AND u.enabled"
                        + " WHERE s.user_id = ?1 AND s.expires_at > ?2"
                        + " AND NOT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = s.jti)"
                        + " ORDER BY s.issued_at DESC, s.jti")
                .setParameter(1, userId)
                .setParameter(2, clock.instant())
                .getResultList();
        // timestamptz columns come back as Instant from Hibernate ORM 7
        return rows.stream().map(row -> new Session((String) row[0], (Instant) row[1], (Instant) row[2],
                (String) row[3], (String) row[4], row[0].equals(callerJti))).toList();
    }

    /**
     * Ends the user's session {@code jti}: its token is revoked as by a logout, on every instance. False when
     * the user has no such session.
     */
    public boolean end(UUID userId, String jti) {
        @SuppressWarnings("unchecked")
        List<Object> expiry = entityManager.createNativeQuery(
                        "SELECT CAST(extract(epoch FROM expires_at) AS bigint) FROM sessions WHERE jti = ?1 AND user_id = ?2")
                .setParameter(1, jti)
                .setParameter(2, userId)
                .getResultList();
        if (expiry.isEmpty()) {
            return false;
        }
        revocations.revoke(jti, userId, ((Number) expiry.get(0)).longValue());
        return true;
    }

    /** At most 200 characters, without control characters (which PostgreSQL or a log line would choke on). */
    static String printable(String userAgent) {
        if (userAgent == null) {
            return null;
        }
        String clean = userAgent.codePoints().filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > MAX_USER_AGENT_CHARS ? clean.substring(0, MAX_USER_AGENT_CHARS) : clean;
    }
}
