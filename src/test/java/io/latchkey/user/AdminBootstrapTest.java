package io.latchkey.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.latchkey.config.LatchkeyConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * The first admin of the local profile: its well-known password only on the throw-away embedded database,
 * a random one anywhere else; and the local profile listens on the loopback interface only. Settings are read
 * from the real application.properties, as the packaged service reads them.
 */
class AdminBootstrapTest {

    @Test
    void localProfileOnTheEmbeddedDatabaseCreatesTheWellKnownAdmin() throws IOException {
        // given / when
        List<String> created = bootstrap(localProfile(), true);

        // then
        assertEquals(List.of("admin:local-admin-password"), created);
    }

    @Test
    void localProfileOnAnotherDatabaseNeverUsesTheWellKnownPassword() throws IOException {
        // given / when: QUARKUS_DATASOURCE_JDBC_URL points at the user's own PostgreSQL
        List<String> created = bootstrap(localProfile(), false);

        // then: an admin with a random password (printed once)
        assertEquals(1, created.size());
        String password = created.get(0).substring("admin:".length());
        assertNotEquals("local-admin-password", password);
        assertTrue(password.length() >= 20, password);
    }

    @Test
    void aConfiguredPasswordIsUsedAsGivenOnAnyDatabase() throws IOException {
        // given
        Map<String, String> settings = new HashMap<>(localProfile());
        settings.put("latchkey.admin.password", "chosen-by-the-operator");

        // when / then
        assertEquals(List.of("admin:chosen-by-the-operator"), bootstrap(settings, false));
    }

    @Test
    void localProfileListensOnTheLoopbackInterfaceOnly() throws IOException {
        assertEquals("127.0.0.1", localProfile().get("quarkus.http.host"));
        assertNull(localProfile().get("latchkey.admin.password"));
    }

    /** The settings of application.properties as the local profile sees them. */
    private static Map<String, String> localProfile() throws IOException {
        Properties file = new Properties();
        try (InputStream in = AdminBootstrapTest.class.getResourceAsStream("/application.properties")) {
            file.load(in);
        }
        Map<String, String> settings = new HashMap<>();
        file.stringPropertyNames().stream().filter(name -> !name.startsWith("%"))
                .forEach(name -> settings.put(name, file.getProperty(name)));
        file.stringPropertyNames().stream().filter(name -> name.startsWith("%local."))
                .forEach(name -> settings.put(name.substring("%local.".length()), file.getProperty(name)));
        return settings;
    }

    /** Runs the bootstrap on a database without any admin; returns "username:password" of each admin created. */
    private static List<String> bootstrap(Map<String, String> settings, boolean embedded) {
        Map<String, String> latchkey = new HashMap<>();
        settings.forEach((name, value) -> {
            if (name.startsWith("latchkey.")) {
                latchkey.put(name, value);
            }
        });
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(LatchkeyConfig.class)
                .withSources(new MapBackedConfigSource("test", latchkey) {
                }).build();
        List<String> created = new ArrayList<>();
        AdminBootstrap bootstrap = new AdminBootstrap() {
            @Override
            boolean onEmbeddedDatabase() {
                return embedded;
            }
        };
        bootstrap.config = config.getConfigMapping(LatchkeyConfig.class);
        bootstrap.users = new UserService() {
            @Override
            public boolean anyAdminExists() {
                return false;
            }

            @Override
            public User create(String username, String password, List<String> roles) {
                created.add(username + ":" + password);
                return new User(UUID.randomUUID(), username, "hash", roles, Instant.now());
            }
        };
        bootstrap.createFirstAdmin(null);
        return created;
    }
}
