package io.latchkey.common;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/**
 * What the plain-JDBC statements of the login path share (they skip Hibernate and JTA: each is one auto-commit
 * statement on a pooled connection, atomic by itself).
 */
public final class Jdbc {

    private Jdbc() {
    }

    /** Binds {@code values} to the statement's parameters, in order; a null binds SQL NULL. */
    public static void bind(PreparedStatement statement, List<?> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            statement.setObject(i + 1, values.get(i));
        }
    }

    public static void bind(PreparedStatement statement, Object... values) throws SQLException {
        bind(statement, Arrays.asList(values)); // a null is a parameter too (List.of refuses it)
    }

    /** An instant as a timestamptz parameter (the driver binds OffsetDateTime as timestamptz, Instant it does not). */
    public static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
