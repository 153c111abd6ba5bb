package io.latchkey.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.path.json.JsonPath;

/**
 * The public API as the cluster test drives it, with java.net.http (RestAssured is bound to one Quarkus test
 * instance): through {@code gateway} for what any instance may answer, or at a given instance's URI.
 */
final class ClusterApi {

    record User(UUID id, String username, String password) {
    }

    record Client(String id, String secret) {
    }

    private final HttpClient http;
    private final URI gateway;
    private final String adminToken;

    ClusterApi(HttpClient http, URI gateway, String adminUsername, String adminPassword) throws Exception {
        this.http = http;
        this.gateway = gateway;
        this.adminToken = login(adminUsername, adminPassword);
    }

    Client createClient(String... permissions) throws Exception {
        String id = "client-" + UUID.randomUUID().toString().substring(0, 8);
        JsonPath created = expect(201, send(json(gateway.resolve("/clients"), Map.of("client_id", id,
                "permissions", List.of(permissions)))));
        return new Client(id, created.getString("client_secret"));
    }

    User createUser(String prefix) throws Exception {
        String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        JsonPath created = expect(201, send(json(gateway.resolve("/users"), Map.of("username", username,
                "password", password, "roles", List.of()))));
        return new User(UUID.fromString(created.getString("id")), username, password);
    }

    String login(User user) throws Exception {
        return login(user.username(), user.password());
    }

    private String login(String username, String password) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/login"))
                .header("Authorization", basic(username, password))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return expect(200, send(request)).getString("token");
    }

    /** The introspection of {@code token} at {@code introspect} (an instance's or the gateway's). */
    boolean isActive(URI introspect, Client client, String token) throws Exception {
        return expect(200, send(introspection(introspect, client, token))).getBoolean("active");
    }

    /** Rotates {@code user}'s key with their own token, through the gateway; the instance that did it. */
    String rotate(User user, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/users/" + user.id() + "/rotate"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = send(request);
        expect(200, response);
        return answeredBy(response);
    }

    static HttpRequest introspection(URI introspect, Client client, String token) {
        return HttpRequest.newBuilder(introspect).timeout(Duration.ofSeconds(10))
                .header("Authorization", basic(client.id(), client.secret()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build();
    }

    /**
     * The upstream that gave nginx its answer: the last of {@code X-Upstream} ($upstream_addr lists every one
     * tried), or "nginx" when nginx answered by itself (no upstream left to try).
     */
    static String answeredBy(HttpResponse<?> response) {
        String tried = response.headers().firstValue("X-Upstream").orElse("");
        String[] upstreams = tried.split(",|\\s:\\s");
        String last = upstreams[upstreams.length - 1].trim();
        return last.matches("[0-9.]+:[0-9]+") ? last : "nginx";
    }

    static String kidOf(String token) {
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        return JsonPath.from(header).getString("kid");
    }

    private HttpRequest json(URI uri, Map<String, Object> body) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new io.vertx.core.json.JsonObject(body).encode())).build();
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonPath expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new AssertionError(response.request().method() + " " + response.request().uri().getPath() + " answered "
                    + response.statusCode() + " (expected " + status + ") by " + answeredBy(response) + ": "
                    + response.body());
        }
        return JsonPath.from(response.body());
    }

    private static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
