package io.latchkey;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.ws.rs.HttpMethod;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.latchkey.web.ErrorMapper;
import io.quarkus.test.junit.QuarkusTest;

/**
 * openapi.yaml and the application's routes agree in both directions: every JAX-RS route is documented, and every
 * documented route is served (by a resource, or for {@code /q/*} by Quarkus itself). Path templates are compared
 * with their parameter names blanked, so {@code /users/{id}} matches {@code /users/{userId}}.
 */
@QuarkusTest
class OpenApiRoutesTest {

    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    private static final String ERROR_SCHEMA = "#/components/schemas/Error";
    private static final Path OPENAPI_FILE = Path.of("openapi.yaml");

    /** An HTTP method and a path template. */
    record Route(String method, String path) implements Comparable<Route> {
        Route normalised() {
            String p = path.replaceAll("\\{[^}]*}", "{}").replaceAll("/{2,}", "/");
            if (p.length() > 1 && p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            return new Route(method.toUpperCase(Locale.ROOT), p.startsWith("/") ? p : "/" + p);
        }

        boolean isQuarkusEndpoint() {
            return path.startsWith("/q/");
        }

        @Override
        public int compareTo(Route other) {
            return toString().compareTo(other.toString());
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    @Test
    void everyJaxRsRouteIsInTheDocument() throws Exception {
        Set<Route> documented = normalised(routesOf(servedDocument()));

        Set<Route> undocumented = new TreeSet<>(normalised(jaxRsRoutes()));
        undocumented.removeAll(documented);

        assertTrue(undocumented.isEmpty(), "Routes the application serves but openapi.yaml does not describe: "
                + undocumented);
    }

    @Test
    void everyDocumentedRouteOutsideQuarkusIsAJaxRsRoute() throws Exception {
        Set<Route> served = normalised(jaxRsRoutes());

        Set<Route> unserved = new TreeSet<>(normalised(routesOf(servedDocument()).stream()
                .filter(route -> !route.isQuarkusEndpoint()).toList()));
        unserved.removeAll(served);

        assertTrue(unserved.isEmpty(), "Routes openapi.yaml describes but no resource serves: " + unserved);
    }

    @Test
    void everyDocumentedQuarkusRouteIsAnswered() throws Exception {
        List<Route> quarkusRoutes = routesOf(servedDocument()).stream().filter(Route::isQuarkusEndpoint).toList();

        List<String> unanswered = new ArrayList<>();
        for (Route route : quarkusRoutes) {
            int status = given().when().request(route.method(), route.path()).then().extract().statusCode();
            if (status == 404 || status == 405) {
                unanswered.add(route + " -> " + status);
            }
        }

        assertFalse(quarkusRoutes.isEmpty(), "openapi.yaml should describe the /q/ health and metrics endpoints");
        assertTrue(unanswered.isEmpty(), "Documented /q/ routes the service does not answer: " + unanswered);
    }

    @Test
    void servedDocumentHasTheRoutesOfTheFileAtTheRepositoryRoot() throws Exception {
        Set<Route> inFile = new TreeSet<>(routesOf(new YAMLMapper().readTree(OPENAPI_FILE.toFile())));

        Set<Route> served = new TreeSet<>(routesOf(servedDocument()));

        assertEquals(inFile, served, "GET /q/openapi must serve openapi.yaml as it is in the repository");
    }

    @Test
    void documentIsServedByteForByteAsTheFileAtTheRepositoryRoot() throws Exception {
        byte[] served = given().when().get("/q/openapi")
                .then().statusCode(200).contentType(startsWith("application/yaml"))
                .extract().asByteArray();

        assertArrayEquals(Files.readAllBytes(OPENAPI_FILE), served);
    }

    @Test
    void documentIsJsonWhenTheClientAcceptsJson() throws Exception {
        String json = given().accept("application/json")
                .when().get("/q/openapi")
                .then().statusCode(200).contentType(startsWith("application/json"))
                .extract().asString();

        assertEquals(new YAMLMapper().readTree(OPENAPI_FILE.toFile()), new ObjectMapper().readTree(json));
    }

    @Test
    void everyDocumentedErrorResponseUsesTheErrorSchema() throws Exception {
        JsonNode document = servedDocument();

        List<String> offenders = new ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (!OPERATIONS.contains(op.getKey()) || path.getKey().startsWith("/q/")) {
                return; // /q/ endpoints are Quarkus's own (health answers 503 with its own body)
            }
            op.getValue().path("responses").properties().forEach(response -> {
                if (response.getKey().matches("[45]\\d\\d") && !usesErrorSchema(document, response.getValue())) {
                    offenders.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey() + " " + response.getKey());
                }
            });
        }));

        assertTrue(offenders.isEmpty(), "Error responses not described by " + ERROR_SCHEMA + ": " + offenders);
    }

    private static boolean usesErrorSchema(JsonNode document, JsonNode response) {
        JsonNode resolved = response;
        String ref = response.path("$ref").asText("");
        if (ref.startsWith("#/components/responses/")) {
            resolved = document.path("components").path("responses").path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        return ERROR_SCHEMA.equals(resolved.path("content").path("application/json").path("schema").path("$ref")
                .asText(null));
    }

    private static JsonNode servedDocument() throws IOException {
        String json = given().queryParam("format", "json")
                .when().get("/q/openapi")
                .then().statusCode(200)
                .extract().asString();
        return new ObjectMapper().readTree(json);
    }

    private static List<Route> routesOf(JsonNode document) {
        List<Route> routes = new ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (OPERATIONS.contains(operation.getKey())) {
                routes.add(new Route(operation.getKey().toUpperCase(Locale.ROOT), path.getKey()));
            }
        }));
        return routes;
    }

    private static Set<Route> normalised(List<Route> routes) {
        return routes.stream().map(Route::normalised).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every resource method of the classes under io/latchkey annotated with @Path, read by reflection. */
    private static List<Route> jaxRsRoutes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = mainClassesDirectory();
        List<Route> routes = new ArrayList<>();
        List<Path> classFiles;
        try (Stream<Path> files = Files.walk(classes.resolve("io/latchkey"))) {
            classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
        }
        for (Path file : classFiles) {
            String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                    .replaceAll("\\.class$", "");
            Class<?> type = Class.forName(name, false, OpenApiRoutesTest.class.getClassLoader());
            jakarta.ws.rs.Path classPath = type.getAnnotation(jakarta.ws.rs.Path.class);
            if (classPath == null) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                jakarta.ws.rs.Path methodPath = method.getAnnotation(jakarta.ws.rs.Path.class);
                String path = "/" + classPath.value() + (methodPath == null ? "" : "/" + methodPath.value());
                for (Annotation annotation : method.getAnnotations()) {
                    HttpMethod httpMethod = annotation.annotationType().getAnnotation(HttpMethod.class);
                    if (httpMethod != null) {
                        routes.add(new Route(httpMethod.value(), path));
                    }
                }
            }
        }
        assertFalse(routes.isEmpty(), "No JAX-RS routes found under " + classes);
        return routes;
    }

    /** The directory the main classes were loaded from (target/classes), found from a known class. */
    private static Path mainClassesDirectory() throws URISyntaxException {
        CodeSource source = ErrorMapper.class.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null && "file".equals(source.getLocation().getProtocol())) {
            Path location = Path.of(source.getLocation().toURI());
            if (Files.isDirectory(location.resolve("io/latchkey"))) {
                return location;
            }
        }
        return Path.of("target", "classes");
    }
}
