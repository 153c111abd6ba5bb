package io.latchkey.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The memory of recently verified tokens: by digest, bounded, forgettable. Plain JUnit. */
@Tag("plain")
class RecentlyVerifiedTest {

    private static final int MAX_ENTRIES = 10_000;

    private final RecentlyVerified recent = new RecentlyVerified();
    private final VerifierFixture fixture = new VerifierFixture(java.time.Instant.parse("2026-03-01T12:00:00Z"));

    @Test
    void rememberedEntryIsFoundByItsDigest() {
        // given
        RecentlyVerified.Entry entry = entry();

        // when
        recent.remember(RecentlyVerified.digestOf("token-a"), entry);

        // then
        assertSame(entry, recent.get(RecentlyVerified.digestOf("token-a")));
        assertNull(recent.get(RecentlyVerified.digestOf("token-b")));
    }

    @Test
    void forgottenEntryIsGone() {
        // given
        recent.remember(RecentlyVerified.digestOf("token-a"), entry());
        recent.remember(RecentlyVerified.digestOf("token-b"), entry());

        // when
        recent.forget(RecentlyVerified.digestOf("token-a"));

        // then: only that one
        assertNull(recent.get(RecentlyVerified.digestOf("token-a")));
        assertNotNull(recent.get(RecentlyVerified.digestOf("token-b")));
    }

    @Test
    void digestIsTheSha256OfTheTokenNotTheTokenItself() {
        // when
        String digest = RecentlyVerified.digestOf("header.payload.signature");

        // then: 32 bytes, the same for the same token, another for another
        assertEquals(32, digest.length());
        assertEquals(digest, RecentlyVerified.digestOf("header.payload.signature"));
        assertNotEquals(digest, RecentlyVerified.digestOf("header.payload.signaturf"));
    }

    @Test
    void holdsUpToItsBoundThenStartsAfresh() {
        // given: as many entries as the bound
        RecentlyVerified.Entry entry = entry();
        for (int i = 0; i < MAX_ENTRIES; i++) {
            recent.remember(Integer.toString(i), entry);
        }
        assertNotNull(recent.get("0"), "all of the first " + MAX_ENTRIES + " are kept");
        assertNotNull(recent.get(Integer.toString(MAX_ENTRIES - 1)));

        // when: one more
        recent.remember("one-more", entry);

        // then: the old ones were dropped, the new one kept
        assertNull(recent.get("0"));
        assertNull(recent.get(Integer.toString(MAX_ENTRIES - 1)));
        assertSame(entry, recent.get("one-more"));
    }

    private RecentlyVerified.Entry entry() {
        VerifiedToken token = new VerifiedToken(UUID.randomUUID().toString(), fixture.user, "someone", List.of(),
                "issuer", List.of("audience"), 2, 1, 1, fixture.key.kid());
        return new RecentlyVerified.Entry(token, fixture.key);
    }
}
