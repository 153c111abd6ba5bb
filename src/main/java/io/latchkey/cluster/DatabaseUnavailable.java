package io.latchkey.cluster;

/**
 * Thrown when memory may not answer (the change feed's lease has lapsed, or a value is not cached) and the database
 * does not answer either: the request fails closed (503), never with a stale answer. Kept apart from
 * {@link io.latchkey.error.Refusal} so a token check cannot mistake it for "this token is invalid".
 */
public final class DatabaseUnavailable extends RuntimeException {

    public static final DatabaseUnavailable INSTANCE = new DatabaseUnavailable();

    private DatabaseUnavailable() {
        super("the database does not answer", null, false, false);
    }
}
