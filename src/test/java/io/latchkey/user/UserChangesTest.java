package io.latchkey.user;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** A requested change can reach a log or an exception message; the new password must not go with it. */
class UserChangesTest {

    @Test
    void toStringHidesTheNewPassword() {
        // given
        UserService.UserChanges changes = new UserService.UserChanges(Optional.of(true), Optional.of(List.of("reader")),
                Optional.of("the-new-secret-password"));

        // when
        String text = changes.toString();

        // then
        assertFalse(text.contains("the-new-secret-password"), text);
        assertTrue(text.contains("reader"), text);
    }
}
