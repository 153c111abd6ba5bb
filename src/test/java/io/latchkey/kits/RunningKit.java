package io.latchkey.kits;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Assertions;

/** One kit's CLI as a child process: a token in on stdin, its verdict ({@code valid ...}/{@code invalid <reason>}) out. */
final class RunningKit implements AutoCloseable {

    /** How long one verdict may take on a loaded machine (a cold JVM, a key fetch); not what the tests measure. */
    private static final Duration ANSWER = Duration.ofSeconds(20);

    private final VerifierKit kit;
    private final Process process;
    private final Path errors;
    private final Writer in;
    private final BlockingQueue<String> verdicts = new LinkedBlockingQueue<>();

    private RunningKit(VerifierKit kit, Process process, Path errors) {
        this.kit = kit;
        this.process = process;
        this.errors = errors;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    verdicts.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "kit-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code kit} against Latchkey at {@code url}, configured by the same environment its README documents. */
    static RunningKit start(VerifierKit kit, String url, String clientId, String clientSecret, String issuer,
            Duration lease) throws Exception {
        Path errors = Files.createTempFile("latchkey-kit-" + kit.name().toLowerCase(), ".err");
        ProcessBuilder builder = new ProcessBuilder(kit.prepare())
                .redirectError(errors.toFile());
        Map<String, String> env = builder.environment();
        env.put("LATCHKEY_URL", url);
        env.put("LATCHKEY_CLIENT_ID", clientId);
        env.put("LATCHKEY_CLIENT_SECRET", clientSecret);
        env.put("LATCHKEY_ISSUER", issuer);
        env.put("LATCHKEY_AUDIENCE", "latchkey");
        env.put("LATCHKEY_LEASE_SECONDS", Double.toString(lease.toMillis() / 1000.0));
        env.put("LATCHKEY_UNKNOWN_KID_RETRY_SECONDS", "30");
        return new RunningKit(kit, builder.start(), errors);
    }

    /** The kit's verdict on {@code token}. */
    String verdict(String token) throws Exception {
        in.write(token + "\n");
        in.flush();
        String verdict = verdicts.poll(ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        if (verdict == null) {
            Assertions.fail(kit + " gave no verdict within " + ANSWER + "; its stderr: " + stderr());
        }
        return verdict;
    }

    /** Asks again and again until the verdict is {@code wanted}; the last verdict, wanted or not by the deadline. */
    String awaitVerdict(String token, Predicate<String> wanted, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        String verdict = verdict(token);
        while (!wanted.test(verdict) && System.nanoTime() < end) {
            Thread.sleep(20);
            verdict = verdict(token);
        }
        return verdict;
    }

    String stderr() throws IOException {
        return Files.readString(errors, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(errors);
    }
}
