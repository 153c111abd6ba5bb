package io.latchkey.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * The change log (V9): every change that can invalidate a token, with a sequence that increases in commit order.
 * {@link #append} writes in the changing transaction; the reads take a plain JDBC connection, so the change feed
 * reads on its own connection.
 */
@ApplicationScoped
public class ChangeLog {

    static final String CHANNEL = "latchkey_changes";
    /** The advisory lock every writer takes before drawing a sequence number: sequence order is commit order. */
    static final long WRITE_LOCK = 0x4c61746368L; // "Latch"
    private static final Logger LOG = Logger.getLogger(ChangeLog.class);
    private static final String COLUMNS = "seq, kind, user_id, kid, jti, client_id, expires_at";

    @Inject
    EntityManager entityManager;
    @Inject
    TransactionSynchronizationRegistry transactions;
    @Inject
    Event<Change> applied;

    /**
     * Writes {@code change} in the current transaction and announces it (NOTIFY) when that commits; it is applied
     * on this instance right after commit, before the caller answers.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Change append(Change change) {
        entityManager.flush(); // pending writes first: the lock below is then held only until commit
        Change written = entityManager.unwrap(Session.class).doReturningWork(connection -> insert(connection, change));
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    applied.fire(written);
                }
            }
        });
        return written;
    }

    /** Writes {@code change} with its NOTIFY on {@code connection}, in the caller's transaction (as every instance does). */
    public static Change insert(Connection connection, Change change) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, WRITE_LOCK);
            lock.execute();
        }
        long seq;
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO change_log (kind, user_id, kid, jti,"
                + " client_id, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq")) {
            insert.setString(1, change.kind().wireName());
            insert.setObject(2, change.userId(), Types.OTHER);
            insert.setString(3, change.kid());
            insert.setString(4, change.jti());
            insert.setString(5, change.clientId());
            if (change.kind() == Change.Kind.TOKEN_REVOKED) {
                insert.setLong(6, change.expiresAt());
            } else {
                insert.setNull(6, Types.BIGINT);
            }
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                seq = row.getLong(1);
            }
        }
        try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, CHANNEL);
            notify.setString(2, Long.toString(seq));
            notify.execute();
        }
        return change.withSeq(seq);
    }

    /** Up to {@code limit} changes after {@code seq}, in order. Rows of kinds this version does not know are skipped. */
    public static List<Change> after(Connection connection, long seq, int limit) throws SQLException {
        List<Change> changes = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?")) {
            query.setLong(1, seq);
            query.setInt(2, limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    read(rows).ifPresent(changes::add);
                }
            }
        }
        return changes;
    }

    /** The oldest sequence still in the log; empty when the log is empty. */
    public static OptionalLong oldestRetained(Connection connection) throws SQLException {
        return single(connection, "SELECT min(seq) FROM change_log");
    }

    /** The newest sequence in the log; 0 when the log is empty. */
    public static long latest(Connection connection) throws SQLException {
        return single(connection, "SELECT max(seq) FROM change_log").orElse(0);
    }

    /**
     * The newest sequence up to {@code upTo} of one of {@code kinds}; when the log keeps none of them, the sequence
     * before its oldest row (any such change was pruned, so it is older), or 0 when nothing is kept. Either way a
     * reader resuming after it is not told to start over.
     */
    public static long newestOf(Connection connection, long upTo, Set<String> kinds) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT coalesce(max(seq) FILTER (WHERE kind = ANY"
                + " (?)), min(seq) - 1, 0) FROM change_log WHERE seq <= ?")) {
            query.setArray(1, connection.createArrayOf("text", kinds.toArray()));
            query.setLong(2, upTo);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Whether every change after {@code seq} is still in the log (else a reader must start over). */
    public static boolean reachesBackTo(Connection connection, long seq) throws SQLException {
        OptionalLong oldest = oldestRetained(connection);
        return oldest.isEmpty() || oldest.getAsLong() <= seq + 1;
    }

    /**
     * Deletes up to 10,000 rows committed before {@code horizon}, never the newest (it tells how far the log
     * reaches): a bounded statement, so it stays well inside the feed's network timeout.
     */
    static int prune(Connection connection, Instant horizon) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM change_log WHERE seq IN (SELECT seq"
                + " FROM change_log WHERE committed_at < ? AND seq < (SELECT max(seq) FROM change_log) LIMIT 10000)")) {
            delete.setTimestamp(1, Timestamp.from(horizon));
            return delete.executeUpdate();
        }
    }

    private static OptionalLong single(Connection connection, String sql) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql); ResultSet row = query.executeQuery()) {
            row.next();
            long value = row.getLong(1);
            return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
        }
    }

    private static java.util.Optional<Change> read(ResultSet row) throws SQLException {
        long seq = row.getLong(1);
        java.util.Optional<Change.Kind> kind = Change.Kind.fromWireName(row.getString(2));
        if (kind.isEmpty()) {
            LOG.debugf("Change %d has a kind this version does not know; skipped", seq);
            return java.util.Optional.empty();
        }
        UUID userId = row.getObject(3, UUID.class);
        return java.util.Optional.of(new Change(seq, kind.get(), userId, row.getString(4), row.getString(5),
                row.getString(6), row.getLong(7)));
    }
}
