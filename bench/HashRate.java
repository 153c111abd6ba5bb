import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.latchkey.user.Passwords;

/**
 * The password hash alone, as the benchmark's ceiling for /login: how many argon2id verifies per second one
 * core does with the service's own encoder (io.latchkey.user.Passwords, so the parameters cannot drift).
 * A successful login is exactly one verify.
 *
 * Run by bench/run.sh as a single-file program, pinned to the server's core:
 *   taskset -c 0 java -cp "target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*:target/quarkus-app/app/*" bench/HashRate.java \
 *       [seconds per slice, 4] [warm-up seconds, 2] [slices, 3]
 * Prints one line: HASH_RESULT per_second=<median of the slices> p50_ms=<median time of one verify>
 *     slices=<rate,rate,...> params=<argon2id parameters>
 */
public class HashRate {

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 4;
        double warmUp = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        int slices = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String password = "bench-password-" + System.nanoTime();

        Passwords passwords = new Passwords();
        String hash = passwords.hash(password);
        if (!passwords.matches(password, hash) || passwords.matches(password + "x", hash)) {
            throw new IllegalStateException("the encoder does not verify its own hash");
        }

        run(passwords, password, hash, warmUp, new ArrayList<>());
        double[] rates = new double[slices];
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            long started = System.nanoTime();
            long verifies = run(passwords, password, hash, seconds, times);
            rates[i] = verifies / ((System.nanoTime() - started) / 1e9);
        }
        Collections.sort(times);

        StringBuilder all = new StringBuilder();
        for (double rate : rates) {
            all.append(all.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", rate));
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = slices % 2 == 1 ? sorted[slices / 2] : (sorted[slices / 2 - 1] + sorted[slices / 2]) / 2;
        System.out.printf(Locale.ROOT,
                "HASH_RESULT per_second=%.2f p50_ms=%.2f slices=%s params=argon2id,m=%dKiB,t=%d,p=%d,salt=16B,hash=32B%n",
                median, times.get(times.size() / 2) / 1e6, all, Passwords.MEMORY_KIB, Passwords.ITERATIONS, Passwords.PARALLELISM);
    }

    /** Verifies until {@code seconds} have passed, adding each one's time (ns) to {@code times}; returns how many were done. */
    private static long run(Passwords passwords, String password, String hash, double seconds, List<Long> times) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long count = 0;
        boolean all = true;
        long now = System.nanoTime();
        do {
            long started = now;
            all &= passwords.matches(password, hash);
            now = System.nanoTime();
            times.add(now - started);
            count++;
        } while (now < deadline);
        if (!all) {
            throw new IllegalStateException("a verify failed");
        }
        return count;
    }
}
