package io.latchkey.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The user agent a session keeps: printable and bounded, whatever a client sends. Plain JUnit. */
@Tag("plain")
class SessionUserAgentTest {

    @Test
    void controlCharactersAreDropped() {
        assertEquals("curl/8.0 evil", Sessions.printable("curl/8.0\r\n\u0000 evil\u007f"));
    }

    @Test
    void userAgentIsKeptUpTo200Characters() {
        String longest = "a".repeat(Sessions.MAX_USER_AGENT_CHARS);

        assertEquals(longest, Sessions.printable(longest));
        assertEquals(longest, Sessions.printable(longest + "b"));
    }

    @Test
    void noUserAgentStaysNone() {
        assertNull(Sessions.printable(null));
    }
}
