package io.latchkey.gateway;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the packaged service ({@code target/quarkus-app}, built by {@code ./mvnw package}) in a JVM of
 * its own, on 127.0.0.1:{@code port}, configured by environment variables as in production. Its output goes to
 * a log file, which a failure quotes.
 */
final class PackagedInstance {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    final String name;
    final int port;
    private final Map<String, String> environment;
    private final Path log;
    private Process process;

    PackagedInstance(String name, int port, Map<String, String> environment, Path logDir) {
        this.name = name;
        this.port = port;
        this.environment = environment;
        this.log = logDir.resolve(name + ".log");
    }

    /** Starts the JVM (the log is appended to, so a restart keeps the first run's output). */
    void start() throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: this test runs on the packaged service (./mvnw verify)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // small heap and C1 only: two of these share a loaded 2-core machine with the test and PostgreSQL
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx192m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-jar", JAR.toString()))
                .redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /** Waits until {@code /q/health/ready} answers 200; stops the instance and fails with its log otherwise. */
    Duration awaitReady(Duration patience) throws Exception {
        long started = System.nanoTime();
        long deadline = started + patience.toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            if (ready()) {
                return Duration.ofNanos(System.nanoTime() - started);
            }
            Thread.sleep(100);
        }
        stop();
        throw new AssertionError(name + " was not ready within " + patience + ":\n" + logTail());
    }

    /** Whether {@code /q/health/ready} answers 200 now. */
    boolean ready() throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** SIGKILL: no shutdown hook runs, in-flight requests are cut, as when a host or container dies. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not die within 10 s of SIGKILL");
        }
    }

    /** SIGTERM, then SIGKILL after ten seconds. */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** host:port as nginx's {@code $upstream_addr} names it. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** The last lines of the instance's output. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
