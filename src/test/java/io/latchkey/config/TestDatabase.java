package io.latchkey.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;

import org.flywaydb.core.Flyway;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.bytecode.internal.none.BytecodeProviderImpl;
import org.hibernate.bytecode.spi.BytecodeProvider;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

import io.latchkey.client.Client;
import io.latchkey.key.SigningKey;
import io.latchkey.user.User;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL for plain JUnit tests of data access (no Quarkus): a throw-away embedded server, started once
 * per JVM and migrated with the service's own Flyway scripts. It stops when the JVM exits.
 */
public final class TestDatabase {

    private static DataSource dataSource;
    private static String jdbcUrl;
    private static EntityManagerFactory entityManagers;

    private TestDatabase() {
    }

    public static synchronized DataSource dataSource() {
        if (dataSource == null) {
            try {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setServerConfig("listen_addresses", "localhost").start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException e) {
                        // the JVM is exiting; the server's directory is temporary
                    }
                }));
                DataSource started = postgres.getPostgresDatabase();
                Flyway.configure().dataSource(started).locations("classpath:db/migration").load().migrate();
                dataSource = started;
                jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
            } catch (IOException e) {
                throw new UncheckedIOException("The embedded PostgreSQL did not start", e);
            }
        }
        return dataSource;
    }

    /** The JDBC URL of {@link #dataSource()} (user and password "postgres"), for a Quarkus start on it. */
    public static synchronized String jdbcUrl() {
        dataSource();
        return jdbcUrl;
    }

    /**
     * Hibernate over {@link #dataSource()} with the service's entities, for plain tests of the classes that use an
     * {@code EntityManager}: resource-local transactions, which the test begins and commits (see TestTransactions).
     */
    public static synchronized EntityManagerFactory entityManagers() {
        if (entityManagers == null) {
            Configuration entities = new Configuration()
                    .addAnnotatedClass(User.class)
                    .addAnnotatedClass(SigningKey.class)
                    .addAnnotatedClass(Client.class);
            entityManagers = entities.buildSessionFactory(new StandardServiceRegistryBuilder()
                    .applySetting(AvailableSettings.DATASOURCE, dataSource())
                    .applySetting(AvailableSettings.TRANSACTION_COORDINATOR_STRATEGY, "jdbc") // resource-local
                    .applySetting(AvailableSettings.GENERATE_STATISTICS, true) // so a test can tell a call cost no query
                    // as in Quarkus: no lazy proxies, so no Byte Buddy (not on the class path)
                    .addService(BytecodeProvider.class, new BytecodeProviderImpl())
                    .build());
        }
        return entityManagers;
    }

    /** A new user (unique name from {@code prefix}), enabled or not, with {@code roles}; committed. */
    public static UUID insertUser(String prefix, boolean enabled, String... roles) {
        UUID id = UUID.randomUUID();
        try (Connection connection = dataSource().getConnection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO users (id, username, password_hash, roles, enabled, created_at, updated_at)"
                        + " VALUES (?, ?, 'not-a-hash', ?, ?, now(), now())")) {
            insert.setObject(1, id, Types.OTHER);
            insert.setString(2, prefix + "-" + id);
            insert.setArray(3, connection.createArrayOf("text", roles));
            insert.setBoolean(4, enabled);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** Runs {@code sql} (a change) with {@code parameters}, committed; returns the rows changed. */
    public static int update(String sql, Object... parameters) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement statement = prepared(connection, sql, parameters)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The rows {@code sql} selects, each a list of its columns: timestamps as {@code Instant}, arrays as lists,
     * the rest as JDBC reads them.
     */
    public static List<List<Object>> rows(String sql, Object... parameters) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement query = prepared(connection, sql, parameters);
                ResultSet result = query.executeQuery()) {
            List<List<Object>> rows = new ArrayList<>();
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    Object value = result.getObject(i);
                    if (value instanceof Timestamp timestamp) {
                        value = timestamp.toInstant();
                    } else if (value instanceof Array array) {
                        value = Arrays.asList((Object[]) array.getArray());
                    }
                    row.add(value);
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PreparedStatement prepared(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i] instanceof UUID) {
                statement.setObject(i + 1, parameters[i], Types.OTHER);
            } else if (parameters[i] instanceof Instant instant) {
                statement.setObject(i + 1, instant.atOffset(ZoneOffset.UTC));
            } else {
                statement.setObject(i + 1, parameters[i]);
            }
        }
        return statement;
    }
}
