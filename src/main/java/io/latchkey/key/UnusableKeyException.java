package io.latchkey.key;

import java.time.Duration;

import io.latchkey.error.Refusal;

/**
 * A stored key that does not decrypt under the master key (it was changed, or the row altered): it cannot be
 * used. A token naming it is simply invalid; a call that needs the key itself (login, key fetch) cannot be served.
 */
public class UnusableKeyException extends RuntimeException {

    UnusableKeyException(String kid) {
        super("Signing key " + kid + " does not decrypt", null, false, false);
    }

    /** How a call that needs this key is refused: 503, never a 500. */
    public Refusal refusal() {
        return Refusal.temporarilyUnavailable("The user's signing key cannot be used; an operator must check the "
                + "master key.", Duration.ofSeconds(60));
    }
}
