package io.latchkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latchkey.TestApi.TestClient;
import io.latchkey.TestApi.TestUser;
import io.latchkey.user.Usernames;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Thousands of generated hostile requests (fixed seed, so a failure can be replayed) against every endpoint:
 * random bytes and huge values as tokens, credentials, ids and bodies; SQL, script and Unicode tricks in
 * usernames; wrong content types; truncated and absurdly nested JSON; 1 MiB bodies. Whatever arrives, the
 * service never answers 5xx, and every 4xx carries the contract's JSON error body.
 *
 * <p>A header block over 32 KiB or a request line over 16 KiB gets the JSON 431 or 414 from the service. Out of
 * scope, because the HTTP codec answers them before any Latchkey code runs (an empty 431, 414 or 400 from Vert.x,
 * with no hook to change it): a header block or request line over twice those (the codec's limits), and bytes that
 * are not legal in an HTTP header at all (the client refuses to send those; they are counted as "unsendable").
 * {@code headersAndRequestLinesOverTheLimits...} shows both.
 * A body over {@code max-body-size}, declared (Content-Length) or streamed (chunked), gets the JSON 413.
 */
@QuarkusTest
class HostileInputTest {

    private static final long SEED = 0x1a7c4_2026L;
    private static final int REQUESTS = 4000;
    private static final int PARALLEL = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** quarkus.http.limits.max-body-size in application.properties. */
    private static final int BODY_LIMIT = 64 * 1024;

    @TestHTTPResource("/")
    URI base;

    @Test
    void thousandsOfHostileRequestsNeverGetA5xxNorLogAnErrorAndEveryErrorIsJson() throws Exception {
        // given: real credentials to mutate and to get past authentication, and a user that may be damaged
        Fixtures fixtures = Fixtures.create();
        List<Hostile> requests = new Generator(new Random(SEED), fixtures).generate(REQUESTS);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        List<String> errorsLogged = Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler errors = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                    errorsLogged.add(record.getLoggerName() + ": " + record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        org.jboss.logmanager.Logger.getLogger("").addHandler(errors);

        // when
        long started = System.nanoTime();
        Map<String, AtomicInteger> byStatus = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (Hostile request : requests) {
                sent.add(pool.submit(() -> send(http, request, byStatus, failures)));
            }
            for (Future<?> future : sent) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
            org.jboss.logmanager.Logger.getLogger("").removeHandler(errors);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        // then
        System.out.printf("Hostile input: %d requests generated (seed %d) in %d s; by status: %s%n", requests.size(),
                SEED, seconds, new TreeMap<>(byStatus));
        assertTrue(failures.isEmpty(), failures.size() + " hostile requests got a wrong answer, e.g.:\n"
                + String.join("\n", failures.subList(0, Math.min(25, failures.size()))));
        // a client's bad request is never the service's error
        assertTrue(errorsLogged.isEmpty(), errorsLogged.size() + " ERROR lines logged, e.g.: "
                + errorsLogged.subList(0, Math.min(5, errorsLogged.size())));
    }

    @Test
    void headersAndRequestLinesOverTheLimitsGetTheJson431And414AndTheCodecsBareOnesOnlyFarBeyond() throws Exception {
        // given
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // when: over the service's limits (32 KiB of headers, a 16 KiB request line)
        HttpResponse<String> headerTooLarge = http.send(withHeader("/users/current", 40 * 1024),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> uriTooLong = http.send(withHeader("/keys/" + "k".repeat(20_000), 0),
                HttpResponse.BodyHandlers.ofString());
        // then
        assertEquals(431, headerTooLarge.statusCode(), "header over the limit");
        assertEquals("invalid_request", JSON.readTree(headerTooLarge.body()).path("error").asText());
        assertEquals(414, uriTooLong.statusCode(), "request line over the limit");
        assertEquals("invalid_request", JSON.readTree(uriTooLong.body()).path("error").asText());

        // when: over the codec's limits (twice the service's), Vert.x answers before routing, with an empty body
        HttpResponse<String> headerFarTooLarge = http.send(withHeader("/users/current", 80 * 1024),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> uriFarTooLong = http.send(withHeader("/keys/" + "k".repeat(40_000), 0),
                HttpResponse.BodyHandlers.ofString());
        System.out.printf("Codec limits: 80 KiB header -> %d %s; 40,000-char URI -> %d %s%n",
                headerFarTooLarge.statusCode(), describe(headerFarTooLarge), uriFarTooLong.statusCode(),
                describe(uriFarTooLong));
        // then: still 4xx, never 5xx
        assertEquals(431, headerFarTooLarge.statusCode(), "header over the codec's limit");
        assertEquals(414, uriFarTooLong.statusCode(), "request line over the codec's limit");
    }

    private HttpRequest withHeader(String path, int headerBytes) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET();
        if (headerBytes > 0) {
            request.header("X-JWT-Auth-Token", "a".repeat(headerBytes));
        }
        return request.build();
    }

    @Test
    void aStreamedBodyOverTheLimitGetsTheJson413AndOneWithinItIsServed() throws Exception {
        // given: bodies sent chunked (no Content-Length), as a client streaming from a pipe sends them
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        TestClient introspector = TestApi.introspector();
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (introspector.clientId() + ":" + introspector.secret()).getBytes(StandardCharsets.UTF_8));
        String token = TestApi.login(TestApi.createUser("streamed-body"));
        byte[] small = ("token=" + token).getBytes(StandardCharsets.UTF_8);
        byte[] huge = new byte[4 * BODY_LIMIT];
        Arrays.fill(huge, (byte) 'a');
        for (int attempt = 0; attempt < 20; attempt++) {
            // when
            HttpResponse<String> within = http.send(streamed(basic, small), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> over = http.send(streamed(basic, huge), HttpResponse.BodyHandlers.ofString());
            // then: every attempt gets an answer, the JSON error for the oversized one
            assertEquals(200, within.statusCode(), within.body());
            assertTrue(within.body().contains("\"active\":true"), within.body());
            assertEquals(413, over.statusCode(), over.body());
            assertEquals("invalid_request", JSON.readTree(over.body()).path("error").asText(), over.body());
        }
    }

    private HttpRequest streamed(String authorization, byte[] body) {
        return HttpRequest.newBuilder(base.resolve("/introspect")).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
    }

    @Test
    void loneSurrogateInAJsonLoginIsRefusedWith400() {
        // given: JSON may escape half of a surrogate pair, which is no Unicode text
        for (String body : List.of("{\"username\": \"\\ud800\", \"password\": \"whatever-password\"}",
                "{\"username\": \"admin\", \"password\": \"pass\\udc00word\"}")) {
            // when / then
            io.restassured.RestAssured.given().contentType("application/json").body(body)
                    .when().post("/login")
                    .then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_request"));
        }
    }

    @Test
    void loneSurrogateInAnyJsonBodyIsRefusedWith400() {
        // given
        String admin = TestApi.adminToken();
        TestUser user = TestApi.createUser("surrogate-target");
        // when / then: a record body and a tree body
        io.restassured.RestAssured.given().auth().oauth2(admin).contentType("application/json")
                .body("{\"username\": \"surrogate-" + UUID.randomUUID() + "\", \"password\": \"long-\\udfffpassword\"}")
                .when().post("/users")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_request"));
        io.restassured.RestAssured.given().auth().oauth2(admin).contentType("application/json")
                .body("{\"password\": \"new-password-\\ud800\"}")
                .when().patch("/users/" + user.id())
                .then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("invalid_request"));
    }

    private static String describe(HttpResponse<String> response) {
        return "(Content-Type " + response.headers().firstValue("Content-Type").orElse("none") + ", "
                + response.body().length() + " body chars)";
    }

    private void send(HttpClient http, Hostile hostile, Map<String, AtomicInteger> byStatus, List<String> failures) {
        HttpRequest request;
        try {
            request = hostile.build(base);
        } catch (IllegalArgumentException e) {
            // the client refuses it (e.g. a control character in a header, an illegal URI): cannot reach the service
            byStatus.computeIfAbsent("unsendable", k -> new AtomicInteger()).incrementAndGet();
            return;
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            byStatus.computeIfAbsent("no answer", k -> new AtomicInteger()).incrementAndGet();
            failures.add(hostile + " -> no answer: " + e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int status = response.statusCode();
        byStatus.computeIfAbsent(Integer.toString(status), k -> new AtomicInteger()).incrementAndGet();
        String problem = problem(hostile, response);
        if (problem != null) {
            failures.add(hostile + " -> " + status + ": " + problem);
        }
    }

    /** What is wrong with the answer, or null when it keeps the contract. */
    private static String problem(Hostile hostile, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status >= 500) {
            return "server error " + new String(response.body(), StandardCharsets.UTF_8);
        }
        if (status < 400 || hostile.method().equals("HEAD")) {
            return null;
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return "Content-Type '" + type + "', body " + printable(response.body());
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            return "body is not JSON: " + printable(response.body());
        }
        if (body == null || !body.isObject() || body.size() != 2 || !body.path("error").isTextual()
                || !body.path("error_description").isTextual()) {
            return "body is not {error, error_description}: " + printable(response.body());
        }
        return null;
    }

    private static String printable(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** Real credentials the generator mutates, and the targets it may harm (never the bootstrap admin). */
    record Fixtures(String adminToken, String victimToken, TestUser victim, String victimKid, TestClient introspector,
            TestClient keyReader) {

        static Fixtures create() {
            String admin = TestApi.adminToken();
            TestUser victim = TestApi.createUser("hostile-victim", "reader");
            String victimToken = TestApi.login(victim);
            String header = new String(Base64.getUrlDecoder().decode(victimToken.split("\\.")[0]), StandardCharsets.UTF_8);
            String kid;
            try {
                kid = JSON.readTree(header).path("kid").asText();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return new Fixtures(admin, victimToken, victim, kid, TestApi.createClient("introspect"),
                    TestApi.createClient("keys:read"));
        }
    }

    /** One generated request; {@code what} says in words what it tries, for the failure report. */
    record Hostile(String what, String method, String pathAndQuery, List<String[]> headers, byte[] body,
            boolean chunked) {

        HttpRequest build(URI base) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "")
                    + pathAndQuery)).timeout(Duration.ofSeconds(30));
            for (String[] header : headers) {
                builder.header(header[0], header[1]);
            }
            HttpRequest.BodyPublisher publisher;
            if (body == null) {
                publisher = HttpRequest.BodyPublishers.noBody();
            } else if (chunked) {
                publisher = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
            } else {
                publisher = HttpRequest.BodyPublishers.ofByteArray(body);
            }
            return builder.method(method, publisher).build();
        }

        @Override
        public String toString() {
            String path = pathAndQuery.length() > 120 ? pathAndQuery.substring(0, 120) + "..." : pathAndQuery;
            return method + " " + path + " [" + what + ", " + headers.size() + " headers, "
                    + (body == null ? "no body" : body.length + "-byte body" + (chunked ? " chunked" : "")) + "]";
        }
    }

    /** Builds the hostile requests from one seeded {@link Random}. */
    static final class Generator {

        private static final int MIB = 1024 * 1024;
        private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
        private static final String[] INJECTIONS = {
            "' OR '1'='1", "admin'--", "'; DROP TABLE users; --", "\" OR 1=1 --", "1; SELECT pg_sleep(10)",
            "x' UNION SELECT password_hash FROM users --", "%' AND 1=0 --", "\\'; --", "$1", "?", "%", "_",
            "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "{{7*7}}",
            "${jndi:ldap://example.invalid/a}", "#{7*7}", "%s%s%s%n", "../../../../etc/passwd", "..\\..\\boot.ini",
            "{\"$ne\": null}", "null", "undefined", "true", "0", "-1", "1e999999", "NaN", "[]", "{}",
            "a\u0000b", "\u0000", "\u202Eevil\u202C", "\u200F\u200E\u200B", "😀👨‍👩‍👧", "e\u0301\u0301\u0301\u0301",
            "Z\u0351\u0337\u0334\u0322a\u036Bl\u0310go", "\uFEFFbom", "\uD800", "\uDFFF\uD800", "İstanbul",
            "ǅemal", "ＡＤＭＩＮ-fullwidth", "ß", "ﬃ", "\u0085next-line", "tab\there", "cr\rlf\n", "\u007F", "a:b",
            "user name", " leading", "trailing ", "", " ", "Ω≈ç√∫", "𝕬𝖉𝖒𝖎𝖓", "\uFFFF", "\u2028\u2029",
        };
        private static final String[] CONTENT_TYPES = {
            "application/json", "application/x-www-form-urlencoded", "text/plain", "application/xml",
            "multipart/form-data; boundary=xyz", "application/json; charset=utf-16", "application/json; charset=nope",
            "application/x-www-form-urlencoded; charset=ISO-8859-1", "application/vnd.api+json", "*/*", "///", ";;",
            "application/", "text/html; charset=\"", "application/octet-stream", "image/png",
        };
        private static final String[] ACCEPTS = {
            "application/json", "*/*", "text/html", "application/xml", "*/*;q=abc", "application/json;q=0",
            "image/*", ",,,", "text/plain",
        };
        private static final String[] UNKNOWN_PATHS = {
            "/", "/login/extra", "/users/x/y/z", "/q/unknown", "/.env", "/%2e%2e/%2e%2e/etc/passwd", "//users",
            "/users;jsessionid=1", "/LOGIN", "/admin", "/keys", "/keys/", "/clients/a/b", "/introspect/x",
            "/auth/../users", "/%00", "/%ff%fe", "/users/%2F..%2F", "/wp-login.php", "/.well-known/nothing",
        };

        private final Random random;
        private final Fixtures fixtures;

        Generator(Random random, Fixtures fixtures) {
            this.random = random;
            this.fixtures = fixtures;
        }

        List<Hostile> generate(int count) {
            List<Supplier<Hostile>> kinds = List.of(this::login, this::login, this::login, this::logout,
                    this::currentUser, this::currentUser, this::introspect, this::introspect, this::introspect,
                    this::createUser, this::createUser, this::listUsers, this::userById, this::patchUser,
                    this::rotate, this::key, this::key, this::forwardAuth, this::forwardAuth, this::clients,
                    this::unknownPath, this::oversizedBody);
            List<Hostile> requests = new ArrayList<>(count);
            while (requests.size() < count) {
                requests.add(kinds.get(random.nextInt(kinds.size())).get());
            }
            return requests;
        }

        // ---- endpoints -------------------------------------------------------------------------------------

        private Hostile login() {
            Request r = new Request("login", maybeOtherMethod("POST"), "/login");
            switch (random.nextInt(6)) {
                case 0 -> r.header("Authorization", pick("Basic ", "basic ", "BASIC  ", "Basic") + basicCredentials());
                case 1 -> r.body(pick(CONTENT_TYPES), jsonCredentials());
                case 2 -> r.body("application/x-www-form-urlencoded", formCredentials());
                case 3 -> r.body(pick(CONTENT_TYPES), truncated(jsonCredentials()));
                case 4 -> r.body(pick(CONTENT_TYPES), randomBytes(random.nextInt(2000)));
                default -> {
                    r.header("Authorization", pick("Basic ", "Bearer ") + hostileToken());
                    r.body(pick(CONTENT_TYPES), jsonCredentials());
                }
            }
            return r.build();
        }

        private Hostile logout() {
            return withToken(new Request("logout", maybeOtherMethod("POST"), "/logout"), false)
                    .maybeBody().build();
        }

        private Hostile currentUser() {
            return withToken(new Request("current user", maybeOtherMethod("GET"), "/users/current"), true)
                    .maybeBody().build();
        }

        private Hostile introspect() {
            Request r = new Request("introspect", maybeOtherMethod("POST"), "/introspect");
            switch (random.nextInt(4)) {
                case 0 -> r.header("Authorization", "Basic " + base64(fixtures.introspector().clientId() + ":"
                        + fixtures.introspector().secret()));
                case 1 -> r.header("Authorization", "Bearer " + fixtures.adminToken());
                case 2 -> r.header("Authorization", pick("Basic ", "Bearer ", "") + hostileToken());
                default -> r.header("Authorization", "Basic " + basicCredentials());
            }
            switch (random.nextInt(5)) {
                case 0 -> r.body("application/x-www-form-urlencoded", ("token=" + formEncode(hostileToken())
                        + (random.nextBoolean() ? "&token_type_hint=" + formEncode(hostileString()) : ""))
                        .getBytes(StandardCharsets.ISO_8859_1));
                case 1 -> r.body("application/x-www-form-urlencoded", pick("token=%ZZ", "token=a&token=b", "token",
                        "=", "&&&&", "token=%", "token=%C0%AF", "%00=%00", "token=" + "%41".repeat(5000))
                        .getBytes(StandardCharsets.ISO_8859_1));
                case 2 -> r.body(pick(CONTENT_TYPES), anyBody());
                case 3 -> r.body("application/x-www-form-urlencoded", randomBytes(random.nextInt(20_000)));
                default -> r.body("application/json", ("{\"token\":" + quoted(hostileToken()) + "}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return r.build();
        }

        private Hostile createUser() {
            Request r = adminOrHostile(new Request("create user", maybeOtherMethod("POST"), "/users"));
            switch (random.nextInt(4)) {
                case 0 -> r.body(pick("application/json", "application/json", "text/plain"), ("{\"username\":"
                        + quoted(hostileUsername()) + ",\"password\":" + quoted(pick("short", "long-enough-password",
                        hostileString())) + ",\"roles\":" + pick("[]", "[\"reader\"]", "[\"admin\"]", "null", "\"admin\"",
                        "[1,2]", "[" + quoted(hostileString()) + "]", "{}") + "}").getBytes(StandardCharsets.UTF_8));
                case 1 -> r.body("application/json", truncated(("{\"username\":" + quoted(hostileUsername())
                        + ",\"password\":\"long-enough-password\",\"roles\":[]}").getBytes(StandardCharsets.UTF_8)));
                case 2 -> r.body("application/json", invalidUtf8Json("username"));
                default -> r.body(pick(CONTENT_TYPES), anyBody());
            }
            return r.build();
        }

        private Hostile listUsers() {
            String query = "?offset=" + formEncode(pick("0", "-1", "99999999999999999999", "1e3", "abc", "%00",
                    hostileString())) + "&limit=" + formEncode(pick("1", "0", "501", "-5", "2147483648", "", hostileString()));
            return adminOrHostile(new Request("list users", maybeOtherMethod("GET"), "/users" + query))
                    .maybeBody().build();
        }

        private Hostile userById() {
            return adminOrHostile(new Request("user by id", pick("GET", "DELETE", "GET", "HEAD", "PUT"),
                    "/users/" + hostileId())).maybeBody().build();
        }

        private Hostile patchUser() {
            Request r = adminOrHostile(new Request("patch user", "PATCH", "/users/" + hostileId()));
            String field = pick("enabled", "roles", "password", "username", "id", hostileString());
            String value = pick("true", "false", "null", "\"yes\"", "[]", "[\"admin\"]", "[null]", "{}", "1e999999",
                    "\"short\"", quoted(hostileString()), "[" + quoted(hostileString()) + "]");
            switch (random.nextInt(3)) {
                case 0 -> r.body(pick("application/json", "application/merge-patch+json", "text/plain"),
                        ("{" + quoted(field) + ":" + value + "}").getBytes(StandardCharsets.UTF_8));
                case 1 -> r.body("application/json", truncated(("{" + quoted(field) + ":" + value + "}")
                        .getBytes(StandardCharsets.UTF_8)));
                default -> r.body(pick(CONTENT_TYPES), anyBody());
            }
            return r.build();
        }

        private Hostile rotate() {
            Request r = new Request("rotate", maybeOtherMethod("POST"), "/users/" + hostileId() + "/rotate");
            return withToken(r, false).maybeBody().build();
        }

        private Hostile key() {
            String kid = pick(fixtures.victimKid(), encodePath(hostileString()), encodePath(randomAscii(1 + random.nextInt(300))),
                    UUID.randomUUID().toString(), "%00", "..", fixtures.victimKid() + "%00", "k".repeat(5000));
            Request r = new Request("key fetch", maybeOtherMethod("GET"), "/keys/" + kid);
            switch (random.nextInt(3)) {
                case 0 -> r.header("Authorization", "Basic " + base64(fixtures.keyReader().clientId() + ":"
                        + fixtures.keyReader().secret()));
                case 1 -> r.header("Authorization", "Basic " + basicCredentials());
                default -> withToken(r, false);
            }
            return r.maybeBody().build();
        }

        private Hostile forwardAuth() {
            String query = random.nextBoolean() ? "" : "?role=" + formEncode(pick("admin", "reader", hostileString(),
                    randomAscii(2000))) + (random.nextBoolean() ? "&role=x" : "");
            Request r = new Request("forward auth", pick(METHODS), "/auth" + query);
            return withToken(r, true).maybeBody().build();
        }

        private Hostile clients() {
            Request r;
            switch (random.nextInt(3)) {
                case 0 -> {
                    r = adminOrHostile(new Request("create client", maybeOtherMethod("POST"), "/clients"));
                    r.body(pick("application/json", "application/json", "text/plain"), ("{\"client_id\":"
                            + quoted(pick(hostileString(), "ok-" + random.nextInt(1_000_000), randomAscii(100)))
                            + ",\"permissions\":" + pick("[\"introspect\"]", "[\"keys:read\",\"keys:read\"]", "[]",
                            "[\"root\"]", "null", "\"introspect\"", "[" + quoted(hostileString()) + "]") + "}")
                            .getBytes(StandardCharsets.UTF_8));
                }
                case 1 -> r = adminOrHostile(new Request("list clients", maybeOtherMethod("GET"), "/clients"))
                        .maybeBody();
                default -> r = adminOrHostile(new Request("delete client", pick("DELETE", "GET", "PATCH"),
                        "/clients/" + encodePath(pick(hostileString(), randomAscii(64), "client-nope"))))
                        .maybeBody();
            }
            return r.build();
        }

        private Hostile unknownPath() {
            String path = random.nextBoolean() ? pick(UNKNOWN_PATHS)
                    : "/" + encodePath(hostileString()) + "/" + encodePath(randomAscii(random.nextInt(50)));
            return withToken(new Request("unknown path", pick(METHODS), path), true).maybeBody().build();
        }

        /** Bodies far over the configured limit, announced (Content-Length) or streamed (chunked). */
        private Hostile oversizedBody() {
            String path = pick("/login", "/introspect", "/users", "/logout", "/clients", "/auth", "/nowhere");
            Request r = adminOrHostile(new Request("1 MiB body", "POST", path));
            byte[] body = new byte[MIB];
            switch (random.nextInt(3)) {
                case 0 -> Arrays.fill(body, (byte) 'a');
                case 1 -> random.nextBytes(body);
                default -> {
                    byte[] json = ("{\"username\":\"" + "a".repeat(MIB - 40) + "\",\"password\":\"x\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    body = json;
                }
            }
            r.body(pick(CONTENT_TYPES), body);
            r.chunked = random.nextBoolean();
            return r.build();
        }

        // ---- request parts ---------------------------------------------------------------------------------

        /** Puts a hostile (or sometimes a genuine) token in one or more of the token sources. */
        private Request withToken(Request r, boolean adminAllowed) {
            String token = random.nextInt(5) == 0
                    ? (adminAllowed && random.nextBoolean() ? fixtures.adminToken() : fixtures.victimToken())
                    : hostileToken();
            switch (random.nextInt(7)) {
                case 0 -> r.header("Authorization", "Bearer " + token);
                case 1 -> r.header("Authorization", pick("bearer ", "BEARER ", "Bearer  ", "Bearer\t", "Bearer", "Token ",
                        "Basic ", "Digest ") + token + pick("", " ", " extra", ","));
                case 2 -> r.header("Cookie", pick("token=", "token=\"", "TOKEN=", "token= ", "a=b; token=")
                        + token + pick("", "\"", "; token=second", ";", "; Path=/"));
                case 3 -> r.header("X-JWT-Auth-Token", token);
                case 4 -> {
                    r.header("Authorization", "Bearer " + token);
                    r.header("Authorization", "Bearer " + hostileToken());
                }
                case 5 -> {
                    r.header("X-JWT-Auth-Token", token);
                    r.header("X-JWT-Auth-Token", fixtures.victimToken());
                }
                default -> {
                    r.header("Cookie", "token=" + hostileToken());
                    r.header("X-JWT-Auth-Token", token);
                }
            }
            if (random.nextInt(4) == 0) {
                r.header("Accept", pick(ACCEPTS));
            }
            return r;
        }

        /** The admin's own token most of the time (to get past authentication into validation), else a bad one. */
        private Request adminOrHostile(Request r) {
            if (random.nextInt(4) > 0) {
                r.header("Authorization", "Bearer " + fixtures.adminToken());
                if (random.nextInt(4) == 0) {
                    r.header("Accept", pick(ACCEPTS));
                }
                return r;
            }
            return withToken(r, false);
        }

        private String hostileToken() {
            return switch (random.nextInt(12)) {
                case 0 -> base64Url(randomBytes(1 + random.nextInt(9000)));
                case 1 -> randomAscii(1 + random.nextInt(12_000));
                case 2 -> latin1(randomBytes(1 + random.nextInt(200)));
                case 3 -> mutated(fixtures.victimToken());
                case 4 -> mutated(fixtures.adminToken());
                case 5 -> jwt("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"sub\":\"" + fixtures.victim().id()
                        + "\",\"roles\":[\"admin\"]}", "");
                case 6 -> jwt("{\"alg\":\"HS256\",\"kid\":" + quoted(hostileString()) + "}", "{\"exp\":" + pick("\"soon\"",
                        "1e309", "-1", "99999999999999999999999", "null", "[]") + "}", base64Url(randomBytes(32)));
                case 7 -> jwt("[".repeat(5000) + "]".repeat(5000), "{}", "sig");
                case 8 -> jwt("{\"alg\":\"HS256\",\"kid\":\"" + fixtures.victimKid() + "\",\"crit\":[\"x\"]}",
                        "{\"sub\":\"" + fixtures.victim().id() + "\"}", base64Url(randomBytes(32)));
                case 9 -> fixtures.victimToken() + pick(".", "..", ".extra", "=", " ", "%00");
                case 10 -> pick("", " ", ".", "..", "...", "a.b.c", "null", "undefined", "Bearer");
                default -> "x".repeat(8000 + random.nextInt(1500));
            };
        }

        private String hostileString() {
            return switch (random.nextInt(5)) {
                case 0 -> randomUnicode(1 + random.nextInt(40));
                case 1 -> pick(INJECTIONS) + pick(INJECTIONS);
                case 2 -> "a".repeat(pick(63, 64, 65, 1024, 1025, 5000));
                default -> pick(INJECTIONS);
            };
        }

        /** Never one that could be the bootstrap admin's name: failures for it would lock out the other tests. */
        private String hostileUsername() {
            String name = hostileString();
            return Usernames.fold(name).equals(TestApi.ADMIN_USERNAME) ? name + "-not" : name;
        }

        private String hostileId() {
            return pick(fixtures.victim().id().toString(), fixtures.victim().id().toString().toUpperCase(Locale.ROOT),
                    UUID.randomUUID().toString(), "00000000-0000-0000-0000-000000000000", "current", "1",
                    encodePath(hostileString()), encodePath(randomAscii(1 + random.nextInt(100))), "%00", "%2e%2e",
                    "x".repeat(5000));
        }

        private String basicCredentials() {
            return switch (random.nextInt(5)) {
                case 0 -> base64(hostileUsername() + ":" + hostileString());
                case 1 -> Base64.getEncoder().encodeToString(randomBytes(1 + random.nextInt(3000)));
                case 2 -> base64(hostileUsername() + ":" + "p".repeat(pick(1024, 1025, 5000)));
                case 3 -> pick("!!!", "====", "a", "YQ", "YTpi=junk", "", base64("no-colon"), base64(":"));
                default -> Base64.getEncoder().encodeToString(concat("user:".getBytes(StandardCharsets.US_ASCII),
                        new byte[] {(byte) 0xC0, (byte) 0xAF, (byte) 0xFF, 0, (byte) 0xE0, (byte) 0x80}));
            };
        }

        private byte[] jsonCredentials() {
            return switch (random.nextInt(5)) {
                case 0 -> ("{\"username\":" + quoted(hostileUsername()) + ",\"password\":" + quoted(hostileString()) + "}")
                        .getBytes(StandardCharsets.UTF_8);
                case 1 -> ("{\"username\":" + pick("5", "null", "[]", "{\"$ne\":null}", "true") + ",\"password\":"
                        + pick("5", "null", "[\"x\"]", "\"x\"") + "}").getBytes(StandardCharsets.UTF_8);
                case 2 -> invalidUtf8Json("username");
                case 3 -> ("[".repeat(20_000) + "]".repeat(20_000)).getBytes(StandardCharsets.US_ASCII);
                default -> pick("{}", "[]", "null", "\"\"", "{\"username\":\"a\",\"username\":\"b\",\"password\":\"c\"}",
                        "{\"username\":\"a\"}", "1e999999", "{\"password\":\"" + "p".repeat(2000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
            };
        }

        private byte[] formCredentials() {
            String form = switch (random.nextInt(4)) {
                case 0 -> "username=" + formEncode(hostileUsername()) + "&password=" + formEncode(hostileString());
                case 1 -> "__ac_name=" + formEncode(hostileUsername()) + "&__ac_password=" + formEncode(hostileString());
                case 2 -> pick("username=%ZZ&password=x", "username=a&username=b&password=c", "username&password",
                        "=&=", "username=a%00b&password=c%", "username=%C0%AF&password=%FF%FE");
                default -> "username=" + formEncode(randomAscii(random.nextInt(3000))) + "&password="
                        + formEncode(randomAscii(random.nextInt(3000)));
            };
            return form.getBytes(StandardCharsets.ISO_8859_1);
        }

        private byte[] anyBody() {
            return switch (random.nextInt(6)) {
                case 0 -> randomBytes(random.nextInt(4000));
                case 1 -> truncated(("{\"username\":" + quoted(hostileString()) + ",\"token\":" + quoted(hostileToken())
                        + "}").getBytes(StandardCharsets.UTF_8));
                case 2 -> ("{\"a\":".repeat(3000) + "1" + "}".repeat(3000)).getBytes(StandardCharsets.US_ASCII);
                case 3 -> invalidUtf8Json("client_id");
                case 4 -> ("token=" + formEncode(hostileToken())).getBytes(StandardCharsets.ISO_8859_1);
                default -> new byte[0];
            };
        }

        private byte[] invalidUtf8Json(String field) {
            byte[] overlong = pick(new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                    new byte[] {(byte) 0xFF, (byte) 0xFE}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, new byte[] {0});
            return concat(("{\"" + field + "\":\"ab").getBytes(StandardCharsets.US_ASCII), overlong,
                    "cd\",\"password\":\"long-enough-password\",\"permissions\":[\"introspect\"]}".getBytes(StandardCharsets.US_ASCII));
        }

        // ---- primitives ------------------------------------------------------------------------------------

        private String maybeOtherMethod(String usual) {
            return random.nextInt(8) == 0 ? pick(METHODS) : usual;
        }

        private byte[] truncated(byte[] whole) {
            return whole.length == 0 ? whole : Arrays.copyOf(whole, random.nextInt(whole.length));
        }

        private String mutated(String token) {
            char[] chars = token.toCharArray();
            int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(chars.length);
                chars[at] = "ABCxyz019-_.=+/".charAt(random.nextInt(15));
            }
            return new String(chars);
        }

        private String jwt(String header, String claims, String signature) {
            return base64Url(header.getBytes(StandardCharsets.UTF_8)) + "." + base64Url(claims.getBytes(StandardCharsets.UTF_8))
                    + "." + signature;
        }

        private byte[] randomBytes(int n) {
            byte[] bytes = new byte[n];
            random.nextBytes(bytes);
            return bytes;
        }

        private String randomAscii(int n) {
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append((char) (0x21 + random.nextInt(0x5e)));
            }
            return s.toString();
        }

        /** Any code point, including unpaired surrogates, controls, and private use. */
        private String randomUnicode(int n) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                int kind = random.nextInt(4);
                if (kind == 0) {
                    s.append((char) random.nextInt(0x10000));
                } else if (kind == 1) {
                    s.appendCodePoint(0x10000 + random.nextInt(0x100000));
                } else if (kind == 2) {
                    s.append((char) random.nextInt(0x20));
                } else {
                    s.append((char) (0x300 + random.nextInt(0x70))); // combining marks
                }
            }
            return s.toString();
        }

        private static String latin1(byte[] bytes) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }

        private static String base64(String text) {
            return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        private static String base64Url(byte[] bytes) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        private static String formEncode(String text) {
            return URLEncoder.encode(text, StandardCharsets.UTF_8);
        }

        private static String encodePath(String text) {
            return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        }

        private static String quoted(String text) {
            try {
                return JSON.writeValueAsString(text);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static byte[] concat(byte[]... parts) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] part : parts) {
                out.writeBytes(part);
            }
            return out.toByteArray();
        }

        @SafeVarargs
        private <T> T pick(T... choices) {
            return choices[random.nextInt(choices.length)];
        }

        /** A request under construction; an inner class, so it can draw from the generator. */
        private final class Request {
            private final String what;
            private final String method;
            private final String path;
            private final List<String[]> headers = new ArrayList<>();
            private byte[] body;
            private boolean chunked;

            Request(String what, String method, String path) {
                this.what = what;
                this.method = method;
                this.path = path;
            }

            Request header(String name, String value) {
                headers.add(new String[] {name, value});
                return this;
            }

            Request body(String contentType, byte[] bytes) {
                header("Content-Type", contentType);
                body = bytes;
                return this;
            }

            /** Sometimes a body too, of any kind, where none is expected. */
            Request maybeBody() {
                byte[] bytes = anyBody();
                return body == null && bytes.length > 0 ? body(pick(CONTENT_TYPES), bytes) : this;
            }

            Hostile build() {
                if (random.nextInt(6) == 0) {
                    noiseHeader();
                }
                return new Hostile(what, method, path, List.copyOf(headers), body, chunked);
            }

            /** One more header an attacker might add: duplicates, junk, a claimed encoding that is not true. */
            private void noiseHeader() {
                switch (random.nextInt(7)) {
                    case 0 -> header("Content-Type", pick(CONTENT_TYPES));
                    case 1 -> header("Cookie", "a=1; ".repeat(1 + random.nextInt(2000)) + "token=");
                    case 2 -> header("X-Forwarded-For", pick("127.0.0.1, 10.0.0.1", "::1", "unknown", hostileString()));
                    case 3 -> header("Content-Encoding", pick("gzip", "deflate", "br", "identity, gzip", "x"));
                    case 4 -> header("Accept-Language", randomAscii(1 + random.nextInt(500)));
                    case 5 -> header("Origin", pick("null", "http://evil.example", "file://"));
                    default -> header("X-" + randomAscii(1 + random.nextInt(20)).replaceAll("[^A-Za-z0-9-]", "a"),
                            latin1(randomBytes(1 + random.nextInt(100))));
                }
            }
        }
    }
}
