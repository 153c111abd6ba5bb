package io.latchkey.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The password hash: format and strength, version 1's stored hashes, and the reuse of its working memory. */
class PasswordsTest {

    /** Written by version 1 (Spring's Argon2PasswordEncoder(16, 32, 1, 19456, 2)) for "correct horse battery staple". */
    private static final String VERSION_1_HASH =
            "$argon2id$v=19$m=19456,t=2,p=1$iVb0v8wszcM45x0ZbviaDA$tobfMGPkxnPJjn6p8zxajw6A1g6W+hhtZ+Xc6Sha7uM";
    /** Written by Spring's encoder with other costs (m=8 MiB, t=3) for a password outside ASCII. */
    private static final String OTHER_COSTS_HASH =
            "$argon2id$v=19$m=8192,t=3,p=1$VIy9MiJS7lKlG8R4KNEQew$0AaGMfgOr5U8CDTvF8MYfqJpApYURyhUg8kbg2C/gHU";

    private final Passwords passwords = new Passwords();

    @Test
    void hashStoredByVersionOneStillVerifies() {
        assertTrue(passwords.matches("correct horse battery staple", VERSION_1_HASH));
        assertFalse(passwords.matches("correct horse battery stapl", VERSION_1_HASH));
    }

    @Test
    void costsAreReadFromTheStoredHashAndPasswordsAreUtf8() {
        assertTrue(passwords.matches("pässwörd ✓ 🐴", OTHER_COSTS_HASH));
        assertFalse(passwords.matches("passwords ✓ 🐴", OTHER_COSTS_HASH));
    }

    @Test
    void newHashIsArgon2idAtOwaspMinimumWithItsOwnSalt() {
        String first = passwords.hash("a new password");
        Matcher m = Pattern.compile("\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$([^$]+)\\$([^$]+)").matcher(first);
        assertTrue(m.matches(), first);
        assertTrue(Integer.parseInt(m.group(1)) >= 19 * 1024, first);
        assertTrue(Integer.parseInt(m.group(2)) >= 2, first);
        assertTrue(Integer.parseInt(m.group(3)) >= 1, first);
        assertEquals(16, Base64.getDecoder().decode(m.group(4)).length);
        assertEquals(32, Base64.getDecoder().decode(m.group(5)).length);
        assertTrue(passwords.matches("a new password", first));
        assertNotEquals(first, passwords.hash("a new password"));
    }

    @Test
    void unknownUserAndMalformedStoredHashNeverMatch() {
        assertFalse(passwords.matches("latchkey-dummy-password-for-timing", null));
        for (String stored : new String[] { "", "plain text", VERSION_1_HASH.replace("argon2id", "argon2i"),
                VERSION_1_HASH.replace("v=19", "v=16"), VERSION_1_HASH.substring(0, VERSION_1_HASH.length() - 20),
                VERSION_1_HASH + "$extra", "$argon2id$v=19$m=19456,t=2,p=1$!!!!!!!!!!!!!!$tobfMGPkxnPJjn6p8zxajw" }) {
            assertFalse(passwords.matches("correct horse battery staple", stored), stored);
        }
    }

    @Test
    void verifyReusesItsWorkingMemoryInsteadOfAllocatingIt() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        passwords.matches("correct horse battery staple", VERSION_1_HASH); // fills the pool

        long before = threads.getThreadAllocatedBytes(thread);
        boolean matched = passwords.matches("correct horse battery staple", VERSION_1_HASH);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertTrue(matched);
        // the hash works through 19 MiB; what a verify allocates is its small change (a few KiB)
        assertTrue(allocated < 512 * 1024, "one verify allocated " + allocated + " bytes");
    }
}
