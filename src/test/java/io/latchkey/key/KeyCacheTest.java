package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.inject.Vetoed;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.cluster.CachesStale;
import io.latchkey.cluster.Change;
import io.latchkey.cluster.NotInMemory;
import io.latchkey.cluster.TestFeed;
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.TestConfig;

/**
 * The in-memory keys in front of the database: what it loads, what it remembers (found and unknown), what each
 * change drops, and that memory answers only while the feed's lease holds. The database is a map of stored keys
 * that counts its loads. Plain JUnit.
 */
@Tag("plain")
class KeyCacheTest {

    private final StoredKeys stored = new StoredKeys();
    private final TestFeed feed = new TestFeed();
    private final KeyCache cache = cacheOver(stored, feed, Map.of());
    private final ActiveKey alice = stored.add(UUID.randomUUID());
    private final ActiveKey bob = stored.add(UUID.randomUUID());

    @Test
    void keyIsLoadedOnceThenAnsweredFromMemory() {
        // when
        cache.find(alice.kid());
        feed.ioThread = true;

        // then
        assertSame(alice, cache.find(alice.kid()).orElseThrow());
        assertEquals(1, stored.loads.get());
    }

    @Test
    void unknownKidIsLoadedOnceThenRememberedAsUnknown() {
        // given
        String unknown = UUID.randomUUID().toString();

        // when
        cache.find(unknown);
        feed.ioThread = true;

        // then
        assertTrue(cache.find(unknown).isEmpty());
        assertEquals(1, stored.loads.get());
    }

    @Test
    void kidThatIsNotACanonicalUuidIsUnknownWithoutALoad() {
        // given: a stored key whose kid is not canonical (upper case) cannot be named
        String upper = alice.kid().toUpperCase(Locale.ROOT);

        // then
        assertTrue(cache.find(upper).isEmpty());
        assertTrue(cache.find("not-a-uuid").isEmpty());
        assertEquals(0, stored.loads.get());
    }

    @Test
    void keyNotYetLoadedIsNotLookedUpOnTheIoThread() {
        feed.ioThread = true;

        assertThrows(NotInMemory.class, () -> cache.find(alice.kid()));
        assertEquals(0, stored.loads.get());
    }

    @Test
    void withoutTheLeaseEveryLookUpAsksTheDatabaseAndNothingIsKept() {
        // given
        feed.trusted = false;

        // when
        cache.find(alice.kid());
        cache.find(alice.kid());

        // then
        assertEquals(2, stored.loads.get());
        feed.trusted = true;
        feed.ioThread = true;
        assertThrows(NotInMemory.class, () -> cache.find(alice.kid()));
    }

    @Test
    void retiredKeyIsDroppedAndTheOthersKept() {
        // given
        cache.find(alice.kid());
        cache.find(bob.kid());

        // when
        cache.onChange(Change.keyRetired(alice.kid(), alice.userId()));

        // then
        feed.ioThread = true;
        assertThrows(NotInMemory.class, () -> cache.find(alice.kid()));
        assertSame(bob, cache.find(bob.kid()).orElseThrow());
    }

    @Test
    void retiredKeyIsDroppedByItsKidAlone() {
        // given
        cache.find(alice.kid());

        // when: the change names the key but no user
        cache.onChange(Change.keyRetired(alice.kid(), null));

        // then
        feed.ioThread = true;
        assertThrows(NotInMemory.class, () -> cache.find(alice.kid()));
    }

    @Test
    void disablingOrDeletingAUserDropsOnlyThatUsersKeys() {
        // given
        cache.find(alice.kid());
        cache.find(bob.kid());

        // when
        cache.onChange(Change.userDisabled(alice.userId()));

        // then
        feed.ioThread = true;
        assertThrows(NotInMemory.class, () -> cache.find(alice.kid()));
        assertSame(bob, cache.find(bob.kid()).orElseThrow());
        feed.ioThread = false;
        cache.find(alice.kid());
        cache.onChange(Change.userDeleted(alice.userId()));
        feed.ioThread = true;
        assertThrows(NotInMemory.class, () -> cache.find(alice.kid()));
    }

    @Test
    void keyCreatedUnderAKidRememberedAsUnknownIsFoundOnceItsUserChanges() {
        // given: a kid remembered as unknown, then created for a user
        String kid = UUID.randomUUID().toString();
        cache.find(kid);
        ActiveKey created = stored.add(UUID.randomUUID(), kid);

        // when
        cache.onChange(Change.keyRetired(UUID.randomUUID().toString(), created.userId()));

        // then
        assertSame(created, cache.find(kid).orElseThrow());
    }

    @Test
    void revocationsAndClientChangesLeaveKeysCached() {
        // given
        cache.find(alice.kid());

        // when
        cache.onChange(Change.tokenRevoked(UUID.randomUUID().toString(), alice.userId(), 0));
        cache.onChange(Change.clientChanged("svc-a"));

        // then
        feed.ioThread = true;
        assertSame(alice, cache.find(alice.kid()).orElseThrow());
    }

    @Test
    void staleCachesDropEveryKey() {
        // given
        cache.find(alice.kid());
        cache.find(bob.kid());

        // when
        cache.onStale(new CachesStale());

        // then
        feed.ioThread = true;
        assertThrows(NotInMemory.class, () -> cache.find(alice.kid()));
        assertThrows(NotInMemory.class, () -> cache.find(bob.kid()));
    }

    @Test
    void holdsAtMostTheConfiguredNumberOfKeys() {
        // given: room for two keys
        KeyCache small = cacheOver(stored, feed, Map.of("latchkey.cache.max-keys", "2"));
        ActiveKey third = stored.add(UUID.randomUUID());
        small.find(alice.kid());
        small.find(bob.kid());

        // when
        small.find(third.kid());

        // then
        feed.ioThread = true;
        assertEquals(2, heldInMemory(small, List.of(alice, bob, third)));
        assertSame(third, small.find(third.kid()).orElseThrow());
    }

    @Test
    void aFullCacheMakesRoomByDroppingATenthOfItsKeysNotAll() {
        // given: a cache of twenty keys, full
        KeyCache full = cacheOver(stored, feed, Map.of("latchkey.cache.max-keys", "20"));
        List<ActiveKey> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            held.add(stored.add(UUID.randomUUID()));
            full.find(held.get(i).kid());
        }

        // when: one more key is looked up
        ActiveKey newcomer = stored.add(UUID.randomUUID());
        full.find(newcomer.kid());

        // then: two made room for it, the other eighteen still answer from memory
        feed.ioThread = true;
        assertEquals(18, heldInMemory(full, held));
        assertSame(newcomer, full.find(newcomer.kid()).orElseThrow());
    }

    /** How many of {@code keys} the cache answers without a load (the feed on the I/O thread). */
    private static int heldInMemory(KeyCache cache, List<ActiveKey> keys) {
        int held = 0;
        for (ActiveKey key : keys) {
            try {
                cache.find(key.kid());
                held++;
            } catch (NotInMemory e) {
                // not held: would be loaded
            }
        }
        return held;
    }

    private static KeyCache cacheOver(KeyService keys, TestFeed feed, Map<String, String> settings) {
        KeyCache cache = new KeyCache();
        cache.keys = keys;
        cache.feed = feed;
        cache.config = TestConfig.with(settings);
        cache.create();
        return cache;
    }

    /** Current keys by kid, standing in for the database: counts its loads. Vetoed: not a second bean. */
    @Vetoed
    static final class StoredKeys extends KeyService {
        final Map<String, ActiveKey> byKid = new ConcurrentHashMap<>();
        final AtomicInteger loads = new AtomicInteger();

        ActiveKey add(UUID user) {
            return add(user, UUID.randomUUID().toString());
        }

        ActiveKey add(UUID user, String kid) {
            ActiveKey key = new ActiveKey(kid, user, "user-" + user, List.of(), KeyAlgorithm.HS256,
                    new SecretKeySpec(new byte[32], "HmacSHA256"));
            byKid.put(kid, key);
            return key;
        }

        @Override
        public Optional<ActiveKey> loadActive(String kid) {
            loads.incrementAndGet();
            return Optional.ofNullable(byKid.get(kid));
        }
    }
}
