package io.latchkey.gateway;

/**
 * The latest events, in sequence order, held once for every stream: each stream keeps its own position and writes
 * from here as fast as its client reads. Bounded: a stream whose position has been overwritten fell too far behind
 * and is dropped (its client reconnects and resumes from the log), so a client that stops reading costs its
 * connection's write buffer, not a queue that grows with every event.
 */
final class RecentEvents {

    /** One event: its sequence and its SSE text. */
    record Entry(long seq, String text) {
    }

    /** What {@link #at} returns for a position already overwritten. */
    static final Entry OVERWRITTEN = new Entry(-1, "");

    private final Entry[] entries;
    /** How many entries were ever appended: the position of the next one. */
    private long next;

    RecentEvents(int capacity) {
        this.entries = new Entry[capacity];
    }

    synchronized void append(long seq, String text) {
        entries[(int) (next % entries.length)] = new Entry(seq, text);
        next++;
    }

    /** The position the next appended entry will have. */
    synchronized long next() {
        return next;
    }

    /** The entry at {@code position}: null when none is there yet, {@link #OVERWRITTEN} when it is gone. */
    synchronized Entry at(long position) {
        if (position >= next) {
            return null;
        }
        if (next - position > entries.length) {
            return OVERWRITTEN;
        }
        return entries[(int) (position % entries.length)];
    }
}
