package io.latchkey.cluster;

/**
 * Thrown by a memory-only look-up when answering would need the database. The hot paths answer on the I/O
 * thread and, on this, hand the request to a worker thread that may block.
 */
public final class NotInMemory extends RuntimeException {

    public static final NotInMemory INSTANCE = new NotInMemory();

    private NotInMemory() {
        super("not cached on this instance", null, false, false);
    }
}
