package io.latchkey.user;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.latchkey.config.EmbeddedDatabase;
import io.latchkey.config.LatchkeyConfig;
import io.latchkey.error.Refusal;
import io.quarkus.runtime.StartupEvent;

/**
 * First start: when no admin exists, create one from LATCHKEY_ADMIN_USERNAME / LATCHKEY_ADMIN_PASSWORD. The
 * local profile's well-known password is used only on the throw-away embedded database: on any other database
 * the first admin gets a random password, printed this once.
 */
@ApplicationScoped
public class AdminBootstrap {

    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);

    @Inject
    LatchkeyConfig config;
    @Inject
    UserService users;

    void createFirstAdmin(@Observes StartupEvent event) {
        if (config.admin().username().isEmpty() || users.anyAdminExists()) {
            return;
        }
        Optional<String> password = config.admin().password()
                .or(() -> onEmbeddedDatabase() ? config.admin().embeddedDatabasePassword() : Optional.empty());
        boolean generated = password.isEmpty() && config.admin().embeddedDatabasePassword().isPresent();
        if (password.isEmpty() && !generated) {
            return;
        }
        try {
            User admin = users.create(config.admin().username().get(), password.orElseGet(AdminBootstrap::random),
                    List.of(Roles.ADMIN));
            LOG.infof("Created the first admin '%s'", admin.username());
        } catch (Refusal e) {
            // another instance starting at the same time won the race, or the settings are unusable
            LOG.warnf("First admin not created: %s", e.getMessage());
        }
    }

    /** Whether the database is the embedded one the service started itself (thrown away with it). */
    boolean onEmbeddedDatabase() {
        return EmbeddedDatabase.running();
    }

    private static String random() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        // printed, not logged through the audit trail: the one time anyone can learn it
        System.out.println("First admin created on this database with the generated password: " + password
                + "  (shown this once; change it with PATCH /users/{id})");
        return password;
    }
}
