package io.latchkey.user;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** A user as the API shows it: never the password hash. */
public record UserView(UUID id, String username, List<String> roles, boolean enabled, Instant createdAt) {

    public static UserView of(User user) {
        return new UserView(user.id(), user.username(), user.roles(), user.enabled(),
                user.createdAt().truncatedTo(ChronoUnit.SECONDS));
    }
}
