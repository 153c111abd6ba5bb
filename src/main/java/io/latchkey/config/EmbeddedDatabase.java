package io.latchkey.config;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ExecutionMode;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A throw-away PostgreSQL for tests, dev mode and the "local" profile, started only when no datasource is
 * configured (no {@code quarkus.datasource.jdbc.url} from any source) and only in builds that include it
 * (the default build; {@code -Dproduction} leaves the library out, see pom.xml). It listens on a free port of
 * localhost, lives in a temporary directory and stops with the application.
 */
@Singleton
public class EmbeddedDatabase implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    private static final String LIBRARY = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
    /** Below application.properties: it only fills in what nothing else configures. */
    private static final int ORDINAL = 200;
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    /** The running server; typed Closeable so this class loads without the library. */
    private static Closeable server;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        // Configuration is also read while building and during static init (AOT/AppCDS training): never start there.
        if (ExecutionMode.current() != ExecutionMode.RUNTIME_INIT || context.getValue(URL).getValue() != null
                || !libraryPresent()) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(start(), "embedded PostgreSQL", ORDINAL));
    }

    private static synchronized Map<String, String> start() {
        stop();
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "localhost").start();
            server = postgres;
            LOG.infof("No datasource configured: started an embedded PostgreSQL on localhost:%d (throw-away data)",
                    postgres.getPort());
            return Map.of(
                    URL, postgres.getJdbcUrl("postgres", "postgres"),
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("The embedded PostgreSQL did not start", e);
        }
    }

    /** Whether the datasource is this throw-away database (nothing else configured one). */
    public static synchronized boolean running() {
        return server != null;
    }

    static void stopWithTheApplication(@Observes ShutdownEvent event) {
        stop();
    }

    private static synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warnf("The embedded PostgreSQL did not stop cleanly (%s)", e.getMessage());
        } finally {
            server = null;
        }
    }

    private static boolean libraryPresent() {
        try {
            Class.forName(LIBRARY, false, EmbeddedDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
