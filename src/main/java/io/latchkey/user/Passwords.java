package io.latchkey.user;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

import io.latchkey.web.ApiException;

/**
 * Password hashing with argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1; 16-byte salt,
 * 32-byte hash), encoded in the PHC string format so parameters can be raised later without a migration.
 * Each hash holds 19 MiB, so at most two per core run at once: a burst of logins queues instead of
 * exhausting the heap, and is refused with 503 once it has waited too long.
 */
@ApplicationScoped
public class Passwords {

    public static final int MEMORY_KIB = 19 * 1024;
    public static final int ITERATIONS = 2;
    public static final int PARALLELISM = 1;
    public static final int MIN_BYTES = 8;
    public static final int MAX_BYTES = 1024;

    private final Argon2PasswordEncoder encoder = new Argon2PasswordEncoder(16, 32, PARALLELISM, MEMORY_KIB, ITERATIONS);
    private static final long MAX_WAIT_SECONDS = 5;

    private final Semaphore hashing = new Semaphore(2 * Runtime.getRuntime().availableProcessors());
    /**
     * Verified against when the user does not exist, so both cost the same: a hash with our parameters and a random
     * salt and digest, which no password matches. Built, not computed, so start-up pays no argon2 run for it.
     */
    private final String dummyHash = randomHashWithOurParameters();

    public String hash(String password) {
        return bounded(() -> encoder.encode(password));
    }

    /** Checks in constant time; {@code hash} null means "no such user" and still costs one full hash. */
    public boolean matches(String password, String hash) {
        boolean matches = bounded(() -> encoder.matches(password, hash == null ? dummyHash : hash));
        return hash != null && matches;
    }

    private <T> T bounded(Supplier<T> work) {
        try {
            if (!hashing.tryAcquire(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        }
        try {
            return work.get();
        } finally {
            hashing.release();
        }
    }

    private static String randomHashWithOurParameters() {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] digest = new byte[32];
        random.nextBytes(salt);
        random.nextBytes(digest);
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM
                + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(digest);
    }

    private static ApiException busy() {
        return new ApiException(503, "temporarily_unavailable", "Too many logins at once; retry shortly.",
                Map.of("Retry-After", "1"));
    }

    /** Rejects a password for a new account or a change. */
    public static void checkAcceptable(String password) {
        if (password == null) {
            throw ApiException.invalidRequest("The password is missing.");
        }
        int bytes = password.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw ApiException.invalidRequest("The password must be " + MIN_BYTES + " to " + MAX_BYTES + " bytes long.");
        }
    }
}
