package io.latchkey.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.latchkey.error.Refusal;
import io.latchkey.user.UserService.UserChanges;

/** Reads a PATCH body on a user: a JSON object with any of enabled, roles, password, and nothing else. */
final class UserPatch {

    private static final Set<String> PATCHABLE = Set.of("enabled", "roles", "password");

    private UserPatch() {
    }

    static UserChanges read(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw Refusal.invalidRequest("The body must be a JSON object with any of enabled, roles, password.");
        }
        body.fieldNames().forEachRemaining(field -> {
            if (!PATCHABLE.contains(field)) {
                throw Refusal.invalidRequest("Only enabled, roles and password can be changed.");
            }
        });
        return new UserChanges(enabled(body.get("enabled")), roles(body.get("roles")), password(body.get("password")));
    }

    private static Optional<Boolean> enabled(JsonNode node) {
        return Optional.ofNullable(node).map(value -> {
            if (!value.isBoolean()) {
                throw Refusal.invalidRequest("'enabled' must be true or false.");
            }
            return value.booleanValue();
        });
    }

    private static Optional<List<String>> roles(JsonNode node) {
        return Optional.ofNullable(node).map(value -> {
            if (!value.isArray()) {
                throw Refusal.invalidRequest("'roles' must be an array of strings.");
            }
            List<String> names = new ArrayList<>();
            value.forEach(role -> {
                if (!role.isTextual()) {
                    throw Refusal.invalidRequest("'roles' must be an array of strings.");
                }
                names.add(role.textValue());
            });
            return names;
        });
    }

    private static Optional<String> password(JsonNode node) {
        return Optional.ofNullable(node).map(value -> {
            if (!value.isTextual()) {
                throw Refusal.invalidRequest("'password' must be a string.");
            }
            return value.textValue();
        });
    }
}
