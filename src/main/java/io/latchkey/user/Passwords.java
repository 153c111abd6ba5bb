package io.latchkey.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator.BlockPool;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator.FixedBlockPool;

import io.latchkey.error.Refusal;

/**
 * Password hashing with argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1; 16-byte salt, 32-byte hash),
 * stored in the PHC string format (see {@link Argon2idHash}), with Bouncy Castle's Argon2.
 * <p>
 * Each hash works through 19 MiB. Allocating that afresh per hash (as a plain Argon2BytesGenerator does) made
 * every login feed the garbage collector 19 MiB of live blocks, which young collections copied and promoted and
 * full collections then had to compact: half the login rate went to the collector (see the README's Performance
 * section). So the blocks come from one pool kept for the life of the service, sized for one hash per core, and
 * only that many hashes run at once: a hash is pure CPU, so more in parallel would only add memory and waiting.
 * A burst of logins queues in arrival order and is refused with 503 once it has waited too long.
 */
@ApplicationScoped
public class Passwords {

    public static final int MEMORY_KIB = 19 * 1024;
    public static final int ITERATIONS = 2;
    public static final int PARALLELISM = 1;
    public static final int SALT_BYTES = 16;
    public static final int HASH_BYTES = 32;
    public static final int MIN_BYTES = 8;
    public static final int MAX_BYTES = 1024;

    private static final long MAX_WAIT_SECONDS = 5;
    /** Hashes run at once: one per core. */
    private static final int CONCURRENT_HASHES = Runtime.getRuntime().availableProcessors();

    private final Semaphore hashing = new Semaphore(CONCURRENT_HASHES, true);
    /** The working memory of every hash, reused; blocks are zeroed before they go back. */
    private final BlockPool blocks = new FixedBlockPool(
            CONCURRENT_HASHES * Argon2BytesGenerator.getBlockCount(MEMORY_KIB, PARALLELISM));
    private final SecureRandom random = new SecureRandom();
    /**
     * Verified against when the user does not exist, so both cost the same: our parameters with a random salt and
     * digest, which no password matches. Built, not computed, so start-up pays no argon2 run for it.
     */
    private final Argon2idHash dummy =
            new Argon2idHash(MEMORY_KIB, ITERATIONS, PARALLELISM, randomBytes(SALT_BYTES), randomBytes(HASH_BYTES));

    public String hash(String password) {
        Argon2idHash hashed = new Argon2idHash(MEMORY_KIB, ITERATIONS, PARALLELISM, randomBytes(SALT_BYTES),
                new byte[HASH_BYTES]);
        bounded(() -> derive(password, hashed, hashed.hash()));
        return hashed.encoded();
    }

    /**
     * Checks in constant time; {@code storedHash} null means "no such user" and still costs one full hash, as does
     * a stored value that is not a well-formed argon2id hash (it never matches).
     */
    public boolean matches(String password, String storedHash) {
        Argon2idHash stored = storedHash == null ? null : parseOrNull(storedHash);
        Argon2idHash against = stored == null ? dummy : stored;
        byte[] derived = bounded(() -> derive(password, against, new byte[against.hash().length]));
        return MessageDigest.isEqual(derived, against.hash()) && stored != null;
    }

    /** Fills {@code out} with the argon2id output for {@code password} under the salt and costs of {@code costs}. */
    private byte[] derive(String password, Argon2idHash costs, byte[] out) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(costs.parameters(blocks));
        generator.generateBytes(password.toCharArray(), out);
        return out;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static Argon2idHash parseOrNull(String storedHash) {
        try {
            return Argon2idHash.parse(storedHash);
        } catch (IllegalArgumentException e) {
            return null;
        }
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

    private static Refusal busy() {
        return Refusal.temporarilyUnavailable("Too many logins at once; retry shortly.", Duration.ofSeconds(1));
    }

    /** Rejects a password for a new account or a change. */
    public static void checkAcceptable(String password) {
        if (password == null) {
            throw Refusal.invalidRequest("The password is missing.");
        }
        int bytes = password.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw Refusal.invalidRequest("The password must be " + MIN_BYTES + " to " + MAX_BYTES + " bytes long.");
        }
    }
}
