package io.latchkey.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

/**
 * Which statement waits for whose row locks, from PostgreSQL itself: so a test holding a change open can let it
 * commit exactly once a login waits for it, with no sleep standing in for "long enough".
 */
final class LockWaits {

    static final long WAIT_SECONDS = 10;

    private LockWaits() {
    }

    /** The server process behind {@code connection}: what a waiting statement is blocked by. */
    static int backendOf(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT pg_backend_pid()");
                ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }

    /**
     * Whether some statement waits for the locks of {@code backend}, polled until one does, {@code givenUp} is true
     * or {@value #WAIT_SECONDS} s have passed.
     */
    static boolean awaitWaiter(DataSource dataSource, int backend, BooleanSupplier givenUp)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid)))")) {
            query.setInt(1, backend);
            while (!givenUp.getAsBoolean() && System.nanoTime() < deadline) {
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    if (row.getBoolean(1)) {
                        return true;
                    }
                }
                Thread.sleep(10);
            }
            return false;
        }
    }
}
