package io.latchkey.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** When a start may leave the schema alone: the one query of {@link DatabaseSchema}, on a real PostgreSQL. */
class DatabaseSchemaTest {

    @Test
    void migrationFileNamesGiveFlywaysVersions() {
        assertEquals(Optional.of(Set.of("1", "10", "2.1")), DatabaseSchema.versionsOf(
                List.of("db/migration/V1__users.sql", "db/migration/V10__keys.sql", "V2_1__clients.sql")));
    }

    @Test
    void anyOtherKindOfMigrationLeavesItToFlyway() {
        assertEquals(Optional.empty(), DatabaseSchema.versionsOf(
                List.of("db/migration/V1__users.sql", "db/migration/R__views.sql")));
        assertEquals(Optional.empty(), DatabaseSchema.versionsOf(List.of()));
        assertEquals(Optional.empty(), DatabaseSchema.versionsOf(null));
    }

    @Test
    void theBundledMigrationsAreListedFromTheClassPath() throws IOException {
        assertEquals(Optional.of(bundled()), DatabaseSchema.bundledVersions(DatabaseSchemaTest.class.getClassLoader()));
    }

    @Test
    void aSchemaMigratedByFlywayIsCurrent() throws IOException {
        assertTrue(DatabaseSchema.isCurrent(TestDatabase.dataSource(), bundled()));
    }

    @Test
    void aBundledMigrationNotYetAppliedMeansNotCurrent() throws IOException {
        Set<String> withANewOne = new HashSet<>(bundled());
        withANewOne.add("999");
        assertFalse(DatabaseSchema.isCurrent(TestDatabase.dataSource(), withANewOne));
    }

    @Test
    void aNewDatabaseIsNotCurrent() throws Exception {
        assertFalse(DatabaseSchema.isCurrent(newDatabase(), bundled()));
    }

    @Test
    void aFailedMigrationMeansNotCurrentEvenWithAllVersionsApplied() throws Exception {
        DataSource database = historyOfEveryBundledVersion();

        execute(database, "INSERT INTO flyway_schema_history (version, type, success) VALUES ('999', 'SQL', false)");

        assertFalse(DatabaseSchema.isCurrent(database, bundled()));
    }

    @Test
    void aVersionMarkedDeletedByRepairMeansNotCurrent() throws Exception {
        DataSource database = historyOfEveryBundledVersion();
        String deleted = bundled().iterator().next();

        execute(database, "INSERT INTO flyway_schema_history (version, type, success) VALUES ('" + deleted
                + "', 'DELETE', true)");

        assertFalse(DatabaseSchema.isCurrent(database, bundled()));
    }

    @Test
    void migrationsInEveryDirectoryOnTheClassPathAreBundled() throws IOException {
        Path extra = Files.createTempDirectory("migrations");
        Files.createDirectories(extra.resolve("db/migration"));
        Files.writeString(extra.resolve("db/migration/V999__extra.sql"), "SELECT 1;");
        Set<String> withTheExtra = new HashSet<>(bundled());
        withTheExtra.add("999");

        try (URLClassLoader classPath = new URLClassLoader(new URL[] { extra.toUri().toURL() },
                DatabaseSchemaTest.class.getClassLoader())) {
            assertEquals(Optional.of(withTheExtra), DatabaseSchema.bundledVersions(classPath));
        }
    }

    /** A database of its own whose history records every bundled version as applied (and so is current). */
    private static DataSource historyOfEveryBundledVersion() throws Exception {
        DataSource database = newDatabase();
        execute(database, "CREATE TABLE flyway_schema_history (installed_rank serial, version text, type text,"
                + " success boolean)");
        for (String version : bundled()) {
            execute(database, "INSERT INTO flyway_schema_history (version, type, success) VALUES ('" + version
                    + "', 'SQL', true)");
        }
        assertTrue(DatabaseSchema.isCurrent(database, bundled()));
        return database;
    }

    /** The versions of the migrations in the source tree, as the build bundles them. */
    private static Set<String> bundled() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            return DatabaseSchema.versionsOf(files.map(file -> "db/migration/" + file.getFileName()).toList())
                    .orElseThrow();
        }
    }

    /** An empty database of its own on the test server. */
    private static DataSource newDatabase() throws SQLException {
        String name = "schema_" + UUID.randomUUID().toString().replace("-", "");
        execute(TestDatabase.dataSource(), "CREATE DATABASE " + name);
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setURL(TestDatabase.jdbcUrl().replaceFirst("/postgres\\?", "/" + name + "?"));
        database.setUser("postgres");
        database.setPassword("postgres");
        return database;
    }

    private static void execute(DataSource database, String sql) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
