package io.latchkey.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;

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
    private static final String RECORD = """
            session AS (
                INSERT INTO sessions (jti, user_id, kid, issued_at, expires_at, address, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?)
            )""";
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
     * Records the session of a token just issued, with {@code alsoWrite} (the throttle's record of the success) in
     * the same statement: one commit for the login's writes. 503 when they cannot be stored (the token is then not
     * handed out, and neither write stands). Plain JDBC with auto-commit: one statement is atomic by itself, and each
     * login then pays one round trip instead of a transaction's begin, flush and commit through Hibernate and JTA.
     */
    void record(ActiveKey key, IssuedToken token, String address, String userAgent, WriteSteps alsoWrite) {
        Instant now = clock.instant();
        boolean prune = !now.isBefore(nextPrune);
        // issued_at to the microsecond: it orders logins within a second
        WriteSteps writes = WriteSteps.of(RECORD, token.jti(), key.userId(), key.kid(),
                at(now.truncatedTo(ChronoUnit.MICROS)), at(token.expiresAt()), address, printable(userAgent))
                .and(alsoWrite);
        try {
            run(prune ? writes.and(pruning(now)) : writes);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Could not record a session (%s)", e.getClass().getSimpleName());
            throw Refusal.temporarilyUnavailable("Logins are unavailable for a moment; retry shortly.",
                    Duration.ofSeconds(1));
        }
        if (prune) {
            nextPrune = now.plus(PRUNE_EVERY);
        }
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
                PreparedStatement statement = connection.prepareStatement(writes.statement())) {
            for (int i = 0; i < writes.parameters().size(); i++) {
                statement.setObject(i + 1, writes.parameters().get(i));
            }
            statement.execute();
        }
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
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
