package io.latchkey.cluster;

import java.util.function.Supplier;

import jakarta.enterprise.inject.Vetoed;

/**
 * The change feed as a plain test sets it: memory trusted (the lease holds) or not, and the caller on a thread that
 * may block or on the I/O thread. Vetoed: a plain object, not a second bean.
 */
@Vetoed
public final class TestFeed extends ChangeFeed {

    /** Whether the lease holds. */
    public volatile boolean trusted = true;
    /** Whether the database answers. */
    public volatile boolean reachable = true;
    /** Whether the caller is on the I/O thread, where a read from the database is refused. */
    public volatile boolean ioThread;

    @Override
    public boolean memoryTrusted() {
        return trusted;
    }

    @Override
    public boolean databaseReachable() {
        return reachable;
    }

    @Override
    public <T> T readThrough(Supplier<T> read) {
        if (ioThread) {
            throw NotInMemory.INSTANCE;
        }
        return read.get();
    }
}
