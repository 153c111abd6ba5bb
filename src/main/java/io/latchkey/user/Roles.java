package io.latchkey.user;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

import io.latchkey.error.Refusal;

/** Role names: 1 to 64 characters of [A-Za-z0-9_.:-], so they travel safely in a comma-separated header. */
public final class Roles {

    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final int MAX_ROLES = 32;

    /** The role that may administer users and clients. */
    public static final String ADMIN = "admin";

    private Roles() {
    }

    /** The one admin check: whoever holds {@link #ADMIN}. */
    public static boolean isAdmin(Collection<String> roles) {
        return roles.contains(ADMIN);
    }

    public static List<String> validate(List<String> roles) {
        if (roles == null) {
            return List.of();
        }
        if (roles.size() > MAX_ROLES) {
            throw Refusal.invalidRequest("At most " + MAX_ROLES + " roles are allowed.");
        }
        for (String role : roles) {
            if (role == null || !ROLE.matcher(role).matches()) {
                throw Refusal.invalidRequest("A role name must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'.");
            }
        }
        return List.copyOf(new LinkedHashSet<>(roles));
    }
}
