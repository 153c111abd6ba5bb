package io.latchkey.cluster;

import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A bounded in-memory map in front of the database that never keeps what an invalidation removed: a load
 * that overlapped an invalidation is returned to its caller but not cached. Absent values are remembered too
 * (in a separate bounded set) so unknown keys do not each cost a query. Reads take no lock; storing a load and
 * invalidating share one, so a store can never land after an invalidation it raced with.
 * <p>
 * Memory answers only while the change feed holds its lease; otherwise, and on a miss, the database does (see
 * {@link ChangeFeed#readThrough}: on the I/O thread that throws {@link NotInMemory}, so callers need no flag).
 */
public final class ConsistentCache<V> {

    private final ConcurrentHashMap<String, V> present = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Boolean> absent = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final ChangeFeed feed;
    private final int maxPresent;
    private final int maxAbsent;

    public ConsistentCache(ChangeFeed feed, int maxPresent, int maxAbsent) {
        this.feed = feed;
        this.maxPresent = maxPresent;
        this.maxAbsent = maxAbsent;
    }

    /** The cached value while the lease holds, else whatever {@code loader} finds (cached unless invalidated meanwhile). */
    public Optional<V> get(String key, Function<String, Optional<V>> loader) {
        boolean trusted = feed.memoryTrusted();
        if (trusted) {
            V cached = present.get(key);
            if (cached != null) {
                return Optional.of(cached);
            }
            if (absent.containsKey(key)) {
                return Optional.empty();
            }
        }
        long before = generation.get();
        Optional<V> loaded = feed.readThrough(() -> loader.apply(key));
        if (!trusted) {
            return loaded; // memory may have missed changes: not kept until the feed has caught up
        }
        if (loaded.isPresent()) {
            remember(present, maxPresent, key, loaded.get(), before);
        } else {
            remember(absent, maxAbsent, key, Boolean.TRUE, before);
        }
        return loaded;
    }

    public synchronized void invalidate(String key) {
        generation.incrementAndGet();
        present.remove(key);
        absent.remove(key);
    }

    /** Drops the values matching {@code stale} and every remembered absence. */
    public synchronized void invalidateIf(Predicate<V> stale) {
        generation.incrementAndGet();
        present.values().removeIf(stale);
        absent.clear();
    }

    public synchronized void clear() {
        generation.incrementAndGet();
        present.clear();
        absent.clear();
    }

    private synchronized <T> void remember(ConcurrentHashMap<String, T> map, int max, String key, T value,
            long before) {
        if (generation.get() != before) {
            return; // invalidated while loading: what was loaded may be stale
        }
        if (map.size() >= max) {
            dropATenth(map, max);
        }
        map.put(key, value);
    }

    /**
     * Makes room by dropping about a tenth of the entries (in the map's own order, which is no order of use), not
     * all of them: with more keys in use than the bound, emptying the map made every key miss at once, each
     * refilled by a query. A tenth at a time keeps the cost of making room small per entry added.
     */
    private static void dropATenth(ConcurrentHashMap<String, ?> map, int max) {
        int toDrop = Math.max(1, max / 10);
        Iterator<String> keys = map.keySet().iterator();
        while (toDrop-- > 0 && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
