package io.latchkey.token;

import java.time.Clock;

import io.latchkey.config.LatchkeyConfig;

/** The service's own {@link TokenIssuer}, built by hand for plain tests in other packages. */
public final class TestIssuer {

    private TestIssuer() {
    }

    public static TokenIssuer of(LatchkeyConfig config, Clock clock) {
        return new TokenIssuer(config, clock);
    }
}
