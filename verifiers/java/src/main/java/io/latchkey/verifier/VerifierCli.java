package io.latchkey.verifier;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads one token per line on stdin and answers one line per token on stdout: {@code valid <sub> <jti>} or
 * {@code invalid <reason>}. Configured by environment (see README.md); the project's tests drive it.
 */
public final class VerifierCli {

    public static void main(String[] args) throws Exception {
        String url = required("LATCHKEY_URL");
        LatchkeyVerifier.Settings settings = new LatchkeyVerifier.Settings(
                URI.create(url.endsWith("/") ? url : url + "/"),
                required("LATCHKEY_CLIENT_ID"), required("LATCHKEY_CLIENT_SECRET"),
                required("LATCHKEY_ISSUER"), env("LATCHKEY_AUDIENCE", "latchkey"),
                seconds("LATCHKEY_LEEWAY_SECONDS", "30"), seconds("LATCHKEY_LEASE_SECONDS", "15"),
                seconds("LATCHKEY_UNKNOWN_KID_RETRY_SECONDS", "5"));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LatchkeyVerifier verifier = new LatchkeyVerifier(settings);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String token;
            while ((token = in.readLine()) != null) {
                try {
                    LatchkeyVerifier.Verified verified = verifier.verify(token.strip());
                    out.println("valid " + verified.sub() + " " + verified.jti());
                } catch (LatchkeyVerifier.Refused refused) {
                    out.println("invalid " + refused.getMessage());
                }
            }
        }
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            System.err.println(name + " is required");
            System.exit(2);
        }
        return value;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static Duration seconds(String name, String fallback) {
        return Duration.ofMillis(Math.round(Double.parseDouble(env(name, fallback)) * 1000));
    }
}
