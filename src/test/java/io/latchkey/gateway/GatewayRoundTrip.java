package io.latchkey.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.latchkey.TestApi;
import io.latchkey.TestApi.TestUser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.specification.RequestSpecification;

/**
 * What every shipped gateway example must do, checked against the real gateway program running that example in
 * front of a small backend that echoes the identity headers it receives; Latchkey answers the gateway's
 * forward-authentication requests. A subclass starts its gateway ({@link #start}); this class holds the
 * behaviours and the backend. A missing gateway program skips the test on a developer's machine and fails it in
 * CI (environment variable CI set), where .ci/run installs it.
 */
abstract class GatewayRoundTrip {

    /** A gateway process listening on 127.0.0.1:{@code port}, with its temporary directory. */
    record Gateway(Process process, Path dir, int port) {

        /** SIGTERM, then SIGKILL after ten seconds; then the temporary directory goes. */
        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
        }
    }

    private static EchoBackend backend;
    private static Gateway gateway;

    @TestHTTPResource("/")
    URL latchkey;

    /** Starts the gateway running its example, forwarding authentication to {@code latchkey} and requests to the backend. */
    abstract Gateway start(URL latchkey, int backendPort) throws Exception;

    @BeforeEach
    void startGatewayOnce() throws Exception {
        if (backend == null) {
            backend = EchoBackend.start();
        }
        if (gateway == null) {
            gateway = start(latchkey, backend.port());
        }
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.stop();
            gateway = null;
        }
        if (backend != null) {
            backend.stop();
            backend = null;
        }
    }

    /** The executable {@code name} on the PATH (or in an sbin directory); skips the test without it, fails in CI. */
    static Path requireProgram(String name, String installHint) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/usr/local/sbin";
        for (String entry : path.split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String missing = name + " is not installed (" + installHint + "); the gateway round trip cannot run";
        if (System.getenv("CI") != null) {
            Assertions.fail(missing + ", and in CI it must");
        }
        Assumptions.abort(missing + "; skipping it");
        return null;
    }

    private static RequestSpecification throughGateway() {
        return given().baseUri("http://127.0.0.1").port(gateway.port());
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
    void rolesSentByTheClientDoNotReachTheBackendForAUserWithoutRoles() {
        // given: Latchkey's answer carries no role to overwrite the client's header with
        TestUser user = TestApi.createUser("gw-noroles");
        String token = TestApi.login(user);

        String roles = throughGateway().auth().oauth2(token)
                .header("X-Auth-Roles", "admin")
                .when().get("/orders")
                .then().statusCode(200)
                .body("user_id", equalTo(user.id().toString()))
                .extract().path("roles");

        assertTrue(roles == null || roles.isEmpty(), "the backend saw roles '" + roles + "'");
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

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts {@code program} (its output to a log in {@code dir}) and waits until it accepts connections on
     * {@code port}; stops it and fails with its log if it does not within 20 seconds.
     */
    static Gateway launch(String name, ProcessBuilder program, Path dir, int port) throws Exception {
        Path log = dir.resolve(name + ".log");
        Gateway gateway = new Gateway(program.redirectErrorStream(true).redirectOutput(log.toFile()).start(), dir,
                port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (gateway.process().isAlive() && Instant.now().isBefore(deadline)) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return gateway;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        gateway.stop();
        throw new IllegalStateException(name + " did not start listening on port " + port + ":\n" + output);
    }
}
