package io.latchkey.token;

/** The one way a token check fails. The reason is for debug logs only and never reaches a client. */
public class InvalidTokenException extends Exception {

    public InvalidTokenException(String reason) {
        super(reason, null, false, false);
    }
}
