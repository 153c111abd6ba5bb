package io.latchkey.client;

import java.util.Arrays;
import java.util.Optional;

/** What a client (a service calling Latchkey) may do. */
public enum Permission {
    INTROSPECT("introspect"),
    /** Fetch users' signing keys: whoever holds one can mint that user's tokens. Trusted services only. */
    KEYS_READ("keys:read"),
    /** Follow the change log (`GET /events`): which keys, tokens and users stopped being valid. */
    EVENTS_READ("events:read");

    private final String wireName;

    Permission(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Permission> fromWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }
}
