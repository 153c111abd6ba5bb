package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.latchkey.config.KeyAlgorithm;
import io.latchkey.config.TestConfig;

/**
 * The in-memory keys in front of the database: what it loads, what it remembers (found and unknown), and what
 * each change drops. The database is a map of stored keys that counts its loads. Plain JUnit.
 */
@Tag("plain")
class KeyCacheTest {

    private final StoredKeys stored = new StoredKeys();
    private final KeyCache cache = cacheOver(stored);
    private final ActiveKey alice = stored.add(UUID.randomUUID());
    private final ActiveKey bob = stored.add(UUID.randomUUID());

    @Test
    void keyIsLoadedOnceThenAnsweredFromMemory() {
        // when
        Optional<ActiveKey> first = cache.find(alice.kid());
        Optional<ActiveKey> second = cache.find(alice.kid());

        // then
        assertSame(alice, first.orElseThrow());
        assertSame(alice, second.orElseThrow());
        assertEquals(1, stored.loads.get());
    }

    @Test
    void unknownKidIsLoadedOnceThenRememberedAsUnknown() {
        // given
        String unknown = UUID.randomUUID().toString();

        // when
        cache.find(unknown);

        // then
        assertTrue(cache.find(unknown).isEmpty());
        assertTrue(cache.findInMemory(unknown).isEmpty());
        assertEquals(1, stored.loads.get());
    }

    @Test
    void kidThatIsNotACanonicalUuidIsUnknownWithoutALoad() {
        // given: a stored key whose kid is not canonical (upper case) cannot be named
        String upper = alice.kid().toUpperCase(Locale.ROOT);

        // then
        assertTrue(cache.find(upper).isEmpty());
        assertTrue(cache.find("not-a-uuid").isEmpty());
        assertTrue(cache.findInMemory("not-a-uuid").isEmpty());
        assertTrue(cache.find("not-a-uuid", true).isEmpty());
        assertEquals(0, stored.loads.get());
    }

    @Test
    void memoryOnlyLookUpOfAKeyNotYetLoadedSaysSo() {
        assertThrows(NotInMemory.class, () -> cache.findInMemory(alice.kid()));
        assertThrows(NotInMemory.class, () -> cache.find(alice.kid(), true));
        assertEquals(0, stored.loads.get());
    }

    @Test
    void memoryOnlyLookUpAnswersOnceLoaded() {
        // given
        cache.find(alice.kid(), false);

        // then
        assertSame(alice, cache.findInMemory(alice.kid()).orElseThrow());
        assertSame(alice, cache.find(alice.kid(), true).orElseThrow());
        assertEquals(1, stored.loads.get());
    }

    @Test
    void changeOfAUserDropsOnlyThatUsersKey() {
        // given
        cache.find(alice.kid());
        cache.find(bob.kid());

        // when
        cache.onChange(Change.user(alice.userId()));

        // then
        assertThrows(NotInMemory.class, () -> cache.findInMemory(alice.kid()));
        assertSame(bob, cache.findInMemory(bob.kid()).orElseThrow());
    }

    @Test
    void changeOfAUserForgetsRememberedUnknownKids() {
        // given: a kid remembered as unknown, then created for a new user
        String kid = UUID.randomUUID().toString();
        cache.find(kid);
        ActiveKey created = stored.add(UUID.randomUUID(), kid);

        // when
        cache.onChange(Change.user(created.userId()));

        // then
        assertSame(created, cache.find(kid).orElseThrow());
    }

    @Test
    void revocationsAndClientChangesLeaveKeysCached() {
        // given
        cache.find(alice.kid());

        // when
        cache.onChange(Change.revoked(alice.userId().toString(), 0));
        cache.onChange(Change.client(alice.userId().toString()));

        // then
        assertSame(alice, cache.findInMemory(alice.kid()).orElseThrow());
    }

    @Test
    void staleCachesDropEveryKey() {
        // given
        cache.find(alice.kid());
        cache.find(bob.kid());

        // when
        cache.onStale(new CachesStale());

        // then
        assertThrows(NotInMemory.class, () -> cache.findInMemory(alice.kid()));
        assertThrows(NotInMemory.class, () -> cache.findInMemory(bob.kid()));
    }

    @Test
    void holdsAtMostTheConfiguredNumberOfKeys() {
        // given: room for two keys
        StoredKeys three = new StoredKeys();
        KeyCache small = cacheOver(three, Map.of("latchkey.cache.max-keys", "2"));
        ActiveKey first = three.add(UUID.randomUUID());
        ActiveKey second = three.add(UUID.randomUUID());
        ActiveKey third = three.add(UUID.randomUUID());
        small.find(first.kid());
        small.find(second.kid());
        assertSame(first, small.findInMemory(first.kid()).orElseThrow());

        // when
        small.find(third.kid());

        // then
        assertThrows(NotInMemory.class, () -> small.findInMemory(first.kid()));
        assertSame(third, small.findInMemory(third.kid()).orElseThrow());
    }

    private static KeyCache cacheOver(KeyService keys) {
        return cacheOver(keys, Map.of());
    }

    private static KeyCache cacheOver(KeyService keys, Map<String, String> settings) {
        KeyCache cache = new KeyCache();
        cache.keys = keys;
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
