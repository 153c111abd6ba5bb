package io.latchkey.user;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.latchkey.config.LatchkeyConfig;
import io.latchkey.error.Refusal;
import io.quarkus.runtime.StartupEvent;

/** First start: when no admin exists, create one from LATCHKEY_ADMIN_USERNAME / LATCHKEY_ADMIN_PASSWORD. */
@ApplicationScoped
public class AdminBootstrap {

    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);

    @Inject
    LatchkeyConfig config;
    @Inject
    UserService users;

    void createFirstAdmin(@Observes StartupEvent event) {
        if (config.admin().username().isEmpty() || config.admin().password().isEmpty() || users.anyAdminExists()) {
            return;
        }
        try {
            User admin = users.create(config.admin().username().get(), config.admin().password().get(),
                    List.of(Roles.ADMIN));
            LOG.infof("Created the first admin '%s'", admin.username());
        } catch (Refusal e) {
            // another instance starting at the same time won the race, or the settings are unusable
            LOG.warnf("First admin not created: %s", e.getMessage());
        }
    }
}
