package io.latchkey.config;

import java.io.IOException;
import java.io.UncheckedIOException;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL for plain JUnit tests of data access (no Quarkus): a throw-away embedded server, started once
 * per JVM and migrated with the service's own Flyway scripts. It stops when the JVM exits.
 */
public final class TestDatabase {

    private static DataSource dataSource;

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
            } catch (IOException e) {
                throw new UncheckedIOException("The embedded PostgreSQL did not start", e);
            }
        }
        return dataSource;
    }
}
