package io.latchkey.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.latchkey.TestClock;
import io.latchkey.common.CanonicalUuid;

/** Kids this service minted are told apart from any other without a query. Plain JUnit. */
@Tag("plain")
class KidsTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T09:00:00Z"));
    private final Kids kids = new Kids(new SecretKeySpec(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, "HmacSHA256"), 10, clock);

    @Test
    void mintedKidsAreCanonicalVersion8UuidsAndRecognised() {
        for (int i = 0; i < 100; i++) {
            String kid = kids.mint();
            assertTrue(CanonicalUuid.isCanonical(kid), kid);
            assertEquals(8, UUID.fromString(kid).version(), kid);
            assertEquals(2, UUID.fromString(kid).variant(), kid);
            assertTrue(kids.mayExist(kid), kid);
        }
    }

    @Test
    void aKidWithOneCharacterChangedIsNotRecognised() {
        String kid = kids.mint();
        for (int position : new int[] {0, 7, 20, 35}) {
            char c = kid.charAt(position);
            String changed = kid.substring(0, position) + (c == '0' ? '1' : '0') + kid.substring(position + 1);
            assertFalse(kids.mayExist(changed), changed);
        }
    }

    @Test
    void kidsMintedUnderAnotherMasterKeyAreNotRecognised() {
        Kids other = new Kids(new SecretKeySpec(new byte[] {9, 9, 9}, "HmacSHA256"), 10, clock);
        assertTrue(IntStream.range(0, 100).mapToObj(i -> other.mint()).noneMatch(kids::mayExist));
    }

    @Test
    void untaggedKidsCurrentAtStartAreRecognisedAlways() {
        String legacy = UUID.randomUUID().toString();
        kids.rememberUntagged(List.of(legacy));
        exhaustUntaggedLookups();
        assertTrue(kids.mayExist(legacy));
        assertFalse(kids.mayExist(UUID.randomUUID().toString()));
    }

    @Test
    void otherUntaggedKidsAreLookedUpOnlyAtABoundedRate() {
        // when: a burst of fresh random version-4 kids (an old instance's during a rolling upgrade, or forgeries)
        long allowed = IntStream.range(0, 1000).filter(i -> kids.mayExist(UUID.randomUUID().toString())).count();

        // then: the burst allowance, then nothing until time passes, then the rate
        assertEquals(Kids.UNTAGGED_LOOKUPS_BURST, allowed);
        clock.advance(Duration.ofSeconds(1));
        long nextSecond = IntStream.range(0, 1000).filter(i -> kids.mayExist(UUID.randomUUID().toString())).count();
        assertEquals(Kids.UNTAGGED_LOOKUPS_PER_SECOND, nextSecond);
    }

    @Test
    void tooManyUntaggedKidsAtStartAreAllRateBounded() {
        String legacy = UUID.randomUUID().toString();
        kids.rememberUntagged(IntStream.range(0, 11).mapToObj(i -> i == 0 ? legacy : UUID.randomUUID().toString())
                .toList());
        exhaustUntaggedLookups();
        assertFalse(kids.mayExist(legacy), "over the bound, none is held: each look-up takes from the rate");
    }

    @Test
    void asManyUntaggedKidsAtStartAsTheBoundAreAllHeld() {
        String legacy = UUID.randomUUID().toString();
        kids.rememberUntagged(IntStream.range(0, 10).mapToObj(i -> i == 0 ? legacy : UUID.randomUUID().toString())
                .toList());
        exhaustUntaggedLookups();
        assertTrue(kids.mayExist(legacy));
    }

    @Test
    void whatIsNotACanonicalUuidIsNeverLookedUp() {
        assertFalse(kids.mayExist(null));
        assertFalse(kids.mayExist("not-a-uuid"));
        assertFalse(kids.mayExist(kids.mint().toUpperCase(java.util.Locale.ROOT)));
    }

    private void exhaustUntaggedLookups() {
        while (kids.mayExist(UUID.randomUUID().toString())) {
            // drain the burst allowance
        }
    }
}
