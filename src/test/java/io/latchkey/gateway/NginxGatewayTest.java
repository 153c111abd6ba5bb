package io.latchkey.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/**
 * A real nginx, configured by the shipped example deploy/nginx/latchkey-gateway.conf, in front of a small backend
 * that echoes the identity headers it receives; Latchkey answers nginx's auth_request subrequests. Skipped when
 * nginx is not installed (.ci/run installs it).
 */
@QuarkusTest
class NginxGatewayTest {

    static final Path EXAMPLE = Path.of("deploy/nginx/latchkey-gateway.conf");

    private static EchoBackend backend;
    private static NginxGateway nginx;

    @TestHTTPResource("/")
    URL latchkey;

    @BeforeEach
    void startGatewayOnce() throws Exception {
        Path binary = NginxGateway.binary();
        Assumptions.assumeTrue(binary != null,
                "nginx is not installed (apt-get install nginx-light); skipping the gateway round trip");
        if (backend == null) {
            backend = EchoBackend.start();
        }
        if (nginx == null) {
            nginx = NginxGateway.start(binary, latchkey, backend.port());
        }
    }

    @AfterAll
    static void stopGateway() {
        if (nginx != null) {
            nginx.stop();
            nginx = null;
        }
        if (backend != null) {
            backend.stop();
            backend = null;
        }
    }

    private static RequestSpecification throughGateway() {
        return given().baseUri("http://127.0.0.1").port(nginx.port());
    }

    @Test
    void requestWithoutTokenIsRefusedWith401AndTheBearerChallenge() {
        throughGateway()
                .when().get("/orders")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer realm=\"latchkey\""));
    }

    @Test
    void invalidTokenIsRefusedWith401() {
        throughGateway().auth().oauth2("not.a.token")
                .when().get("/orders")
                .then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""));
    }

    @Test
    void eightKibibyteTokenReachesLatchkeyInsteadOfBeingRefusedByNginx() {
        throughGateway().auth().oauth2("a".repeat(8192))
                .when().get("/orders")
                .then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""));
    }

    @Test
    void validBearerTokenReachesTheBackendWithTheUsersIdentity() {
        TestUser user = TestApi.createUser("gw-bearer", "reader", "writer");
        String token = TestApi.login(user);

        throughGateway().auth().oauth2(token)
                .when().get("/orders")
                .then().statusCode(200)
                .body("path", equalTo("/orders"))
                .body("user_id", equalTo(user.id().toString()))
                .body("username", equalTo(user.username()))
                .body("roles", equalTo("reader,writer"));
    }

    @Test
    void tokenCookieIsForwardedToLatchkey() {
        TestUser user = TestApi.createUser("gw-cookie");
        String token = TestApi.login(user);

        throughGateway().cookie("token", token)
                .when().get("/orders")
                .then().statusCode(200)
                .body("user_id", equalTo(user.id().toString()));
    }

    @Test
    void identityHeadersSentByTheClientAreReplacedByLatchkeysAnswer() {
        TestUser user = TestApi.createUser("gw-spoof", "reader");
        String token = TestApi.login(user);

        throughGateway().auth().oauth2(token)
                .header("X-Auth-User-Id", UUID.randomUUID().toString())
                .header("X-Auth-Roles", "admin")
                .when().get("/orders")
                .then().statusCode(200)
                .body("user_id", equalTo(user.id().toString()))
                .body("roles", equalTo("reader"));
    }

    @Test
    void requestBodyReachesTheBackendWhole() {
        TestUser user = TestApi.createUser("gw-body");
        String token = TestApi.login(user);
        String body = "x".repeat(100_000);

        throughGateway().auth().oauth2(token).contentType("text/plain").body(body)
                .when().post("/orders")
                .then().statusCode(200)
                .body("body_bytes", equalTo(body.length()));
    }

    @Test
    void userWithoutTheRequiredRoleIsRefusedWith403() {
        TestUser user = TestApi.createUser("gw-noadmin", "reader");
        String token = TestApi.login(user);

        throughGateway().auth().oauth2(token)
                .when().get("/admin/settings")
                .then().statusCode(403);
    }

    @Test
    void userWithTheRequiredRoleReachesTheAdminArea() {
        TestUser user = TestApi.createUser("gw-admin", "admin");
        String token = TestApi.login(user);

        throughGateway().auth().oauth2(token)
                .when().get("/admin/settings")
                .then().statusCode(200)
                .body("user_id", equalTo(user.id().toString()));
    }

    @Test
    void tokenIsRefusedOnceItsUserRotated() {
        TestUser user = TestApi.createUser("gw-rotate");
        String token = TestApi.login(user);
        throughGateway().auth().oauth2(token).when().get("/orders").then().statusCode(200);

        given().auth().oauth2(token).when().post("/users/" + user.id() + "/rotate").then().statusCode(200);

        throughGateway().auth().oauth2(token)
                .when().get("/orders")
                .then().statusCode(401);
    }

    /** The protected service: answers every request with the path, body size and identity headers it received. */
    static final class EchoBackend {

        private static final ObjectMapper JSON = new ObjectMapper();
        private final HttpServer server;

        private EchoBackend(HttpServer server) {
            this.server = server;
        }

        static EchoBackend start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", EchoBackend::echo);
            server.start();
            return new EchoBackend(server);
        }

        private static void echo(HttpExchange exchange) throws IOException {
            long bodyBytes;
            try (InputStream in = exchange.getRequestBody()) {
                bodyBytes = in.transferTo(OutputStream.nullOutputStream());
            }
            Map<String, Object> seen = new LinkedHashMap<>();
            seen.put("path", exchange.getRequestURI().getPath());
            seen.put("body_bytes", bodyBytes);
            seen.put("user_id", exchange.getRequestHeaders().getFirst("X-Auth-User-Id"));
            seen.put("username", exchange.getRequestHeaders().getFirst("X-Auth-Username"));
            seen.put("roles", exchange.getRequestHeaders().getFirst("X-Auth-Roles"));
            byte[] answer = JSON.writeValueAsBytes(seen);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void stop() {
            server.stop(0);
        }
    }

    /** nginx running the example file, its upstreams pointed at this test's Latchkey and backend. */
    static final class NginxGateway {

        private final Process process;
        private final Path dir;
        private final int port;

        private NginxGateway(Process process, Path dir, int port) {
            this.process = process;
            this.dir = dir;
            this.port = port;
        }

        /** The nginx executable, or null when it is not installed. */
        static Path binary() {
            String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/local/sbin";
            for (String entry : path.split(File.pathSeparator)) {
                Path candidate = Path.of(entry.isEmpty() ? "." : entry, "nginx");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            return null;
        }

        static NginxGateway start(Path binary, URL latchkey, int backendPort) throws Exception {
            int port = freePort();
            String latchkeyAddress = InetAddress.getByName(latchkey.getHost()).getHostAddress() + ":" + latchkey.getPort();
            String example = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
            example = replaceOnce(example, "server latchkey:8080;", "server " + latchkeyAddress + ";");
            example = replaceOnce(example, "server backend:80;", "server 127.0.0.1:" + backendPort + ";");
            example = replaceOnce(example, "listen 8000;", "listen 127.0.0.1:" + port + ";");

            Path dir = Files.createTempDirectory("latchkey-nginx");
            Files.writeString(dir.resolve("latchkey-gateway.conf"), example);
            Files.writeString(dir.resolve("nginx.conf"), mainConfig(dir));

            Process process = new ProcessBuilder(binary.toString(), "-e", "stderr", "-p", dir.toString(),
                    "-c", dir.resolve("nginx.conf").toString(),
                    "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nginx.log").toFile())
                    .start();
            NginxGateway gateway = new NginxGateway(process, dir, port);
            gateway.awaitListening();
            return gateway;
        }

        /** Only what the example needs around it: temp paths in our directory, logs to stderr. */
        private static String mainConfig(Path dir) {
            boolean root = "root".equals(System.getProperty("user.name"));
            return String.join("\n", List.of(
                    root ? "user root;" : "",
                    "worker_processes 1;",
                    "error_log stderr warn;",
                    "events { worker_connections 256; }",
                    "http {",
                    "    access_log off;",
                    "    client_body_temp_path " + dir.resolve("client_body") + ";",
                    "    proxy_temp_path " + dir.resolve("proxy") + ";",
                    "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                    "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                    "    scgi_temp_path " + dir.resolve("scgi") + ";",
                    "    include " + dir.resolve("latchkey-gateway.conf") + ";",
                    "}", ""));
        }

        /** Replaces the one line of the example that is exactly {@code directive} (comments may mention it). */
        private static String replaceOnce(String text, String directive, String replacement) {
            List<String> lines = new ArrayList<>(text.lines().toList());
            int found = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).trim().equals(directive)) {
                    lines.set(i, replacement);
                    found++;
                }
            }
            if (found != 1) {
                throw new IllegalStateException(EXAMPLE + " must have the line '" + directive + "' exactly once (the "
                        + "test substitutes it); found " + found);
            }
            return String.join("\n", lines) + "\n";
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        private void awaitListening() throws Exception {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
            while (process.isAlive() && Instant.now().isBefore(deadline)) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            String log = log();
            stop();
            throw new IllegalStateException("nginx did not start listening on port " + port + ":\n" + log);
        }

        private String log() throws IOException {
            return Files.readString(dir.resolve("nginx.log"), StandardCharsets.UTF_8);
        }

        int port() {
            return port;
        }

        void stop() {
            process.destroy(); // SIGTERM: nginx's master stops its workers and exits
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            deleteQuietly(dir);
        }

        private static void deleteQuietly(Path dir) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
        }
    }
}
