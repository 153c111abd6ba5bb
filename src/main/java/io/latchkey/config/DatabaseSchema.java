package io.latchkey.config;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Brings the schema up to date before anything at start-up reads it (hence the first start-up observer). Flyway
 * (a sixth of a start's CPU, most of it building Flyway itself, which Quarkus's extension did at every start) is
 * loaded only when there is something to do: a schema on which every bundled migration is recorded as applied is
 * left alone after one query. Otherwise Flyway migrates, under its lock, so instances starting together on a new
 * database take turns.
 */
@ApplicationScoped
public class DatabaseSchema {

    private static final Logger LOG = Logger.getLogger(DatabaseSchema.class);
    private static final String LOCATION = "db/migration";
    /** A versioned SQL migration's file name: V, the version (parts split by '.' or '_'), "__", a description. */
    private static final Pattern VERSIONED = Pattern.compile("(?:.*/)?V([0-9._]+)__[^/]*\\.sql");

    @Inject
    DataSource dataSource;

    private volatile boolean migratedAtStart;

    void migrate(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent started) {
        Optional<Set<String>> bundled = bundledVersions(DatabaseSchema.class.getClassLoader());
        if (bundled.isPresent() && isCurrent(dataSource, bundled.get())) {
            return;
        }
        Flyway.configure(DatabaseSchema.class.getClassLoader()).dataSource(dataSource)
                .locations("classpath:" + LOCATION).load().migrate();
        migratedAtStart = true;
    }

    /** Whether this start ran Flyway (false: the schema was current). */
    public boolean migratedAtStart() {
        return migratedAtStart;
    }

    /**
     * Whether every version in {@code bundled} is recorded as applied, and no migration as failed; false too when
     * there is no history yet, or it cannot be read: Flyway then decides. A later DELETE row (written by
     * {@code flyway repair}) marks a version as no longer applied.
     */
    static boolean isCurrent(DataSource dataSource, Set<String> bundled) {
        try (Connection connection = dataSource.getConnection();
                Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("SELECT version, success, type = 'DELETE' FROM"
                        + " flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
            Set<String> applied = new HashSet<>();
            while (rows.next()) {
                if (!rows.getBoolean(2)) {
                    return false;
                }
                if (rows.getBoolean(3)) {
                    applied.remove(rows.getString(1));
                } else {
                    applied.add(rows.getString(1));
                }
            }
            return applied.containsAll(bundled);
        } catch (SQLException e) {
            LOG.debugf("No readable migration history (%s): Flyway runs", e.getMessage());
            return false;
        }
    }

    /**
     * The versions of the bundled migrations, from the entries of every migrations directory on the class path, as
     * Flyway reads them (in the application's jar, or a directory in tests and dev mode); empty when they cannot be
     * listed: Flyway then decides.
     */
    static Optional<Set<String>> bundledVersions(ClassLoader classLoader) {
        try {
            List<String> files = new ArrayList<>();
            for (URL location : Collections.list(classLoader.getResources(LOCATION))) {
                files.addAll(filesIn(location));
            }
            return versionsOf(files);
        } catch (IOException | URISyntaxException | RuntimeException e) {
            LOG.debugf("The bundled migrations are unknown (%s): Flyway runs", e);
            return Optional.empty();
        }
    }

    private static List<String> filesIn(URL location) throws IOException, URISyntaxException {
        if (location.openConnection() instanceof JarURLConnection jar) {
            jar.setUseCaches(false);
            try (JarFile file = jar.getJarFile()) {
                return file.stream().map(JarEntry::getName)
                        .filter(name -> name.startsWith(LOCATION + "/") && !name.endsWith("/")).toList();
            }
        }
        try (Stream<Path> files = Files.list(Path.of(location.toURI()))) {
            return files.map(file -> LOCATION + "/" + file.getFileName()).toList();
        }
    }

    /** The versions (as Flyway records them) of {@code files}; empty unless all are versioned SQL migrations. */
    static Optional<Set<String>> versionsOf(Collection<?> files) {
        if (files == null || files.isEmpty()) {
            return Optional.empty();
        }
        Set<String> versions = new HashSet<>();
        for (Object file : files) {
            Matcher versioned = VERSIONED.matcher(String.valueOf(file));
            if (!versioned.matches()) {
                return Optional.empty(); // a repeatable or Java migration: Flyway's own rules decide
            }
            versions.add(versioned.group(1).replace('_', '.'));
        }
        return Optional.of(versions);
    }
}
