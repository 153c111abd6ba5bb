package io.latchkey;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * openapi.yaml documents every status the service answered during the test run: each (method, path template,
 * status) that {@link ObservedStatuses} recorded must be among that operation's documented responses. Run by
 * Maven Failsafe, after Surefire has run every other test, so the whole run's observations are checked.
 * Requests outside the documented operations (unknown routes, undocumented methods) are not this test's concern.
 */
class DocumentedStatusesIT {

    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    /** A documented path template, matched the way JAX-RS does: the most literal characters win. */
    record Template(String path, Pattern pattern, int literals) {
        static Template of(String path) {
            String regex = Stream.of(path.split("\\{[^}]*}", -1)).map(Pattern::quote)
                    .reduce((left, right) -> left + "[^/]+" + right).orElse("");
            return new Template(path, Pattern.compile(regex), path.replaceAll("\\{[^}]*}", "").length());
        }
    }

    @Test
    void everyObservedStatusIsDocumentedForItsOperation() throws IOException {
        JsonNode document = new YAMLMapper().readTree(Path.of("openapi.yaml").toFile());
        Map<String, Set<String>> documented = new HashMap<>();
        List<Template> templates = new ArrayList<>();
        document.path("paths").properties().forEach(path -> {
            templates.add(Template.of(path.getKey()));
            path.getValue().properties().forEach(operation -> {
                if (OPERATIONS.contains(operation.getKey())) {
                    Set<String> statuses = new TreeSet<>();
                    operation.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
                    documented.put(key(operation.getKey(), path.getKey()), statuses);
                }
            });
        });

        List<String> observed = observations();
        Set<String> undocumented = new TreeSet<>();
        int checked = 0;
        for (String line : observed) {
            String[] fields = line.split("\t", -1);
            Optional<Template> template = templateOf(templates, fields[1]);
            Set<String> statuses = template.map(t -> documented.get(key(fields[0], t.path()))).orElse(null);
            if (statuses == null) {
                continue; // not a documented operation
            }
            checked++;
            if (!statuses.contains(fields[2])) {
                undocumented.add(fields[0] + " " + template.get().path() + " " + fields[2] + " (seen for " + fields[1]
                        + ")");
            }
        }

        assertFalse(observed.isEmpty(), "No statuses were recorded under " + ObservedStatuses.DIRECTORY
                + ": run this after the other tests (./mvnw verify)");
        assertTrue(checked > 0, "None of the recorded requests was a documented operation");
        assertTrue(undocumented.isEmpty(), "Statuses the service answered that openapi.yaml does not document for "
                + "that operation:\n" + String.join("\n", undocumented));
    }

    private static String key(String method, String path) {
        return method.toUpperCase(Locale.ROOT) + " " + path;
    }

    private static Optional<Template> templateOf(List<Template> templates, String path) {
        return templates.stream().filter(t -> t.pattern().matcher(path).matches())
                .max(Comparator.comparingInt(Template::literals));
    }

    private static List<String> observations() throws IOException {
        if (!Files.isDirectory(ObservedStatuses.DIRECTORY)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(ObservedStatuses.DIRECTORY)) {
            for (Path file : files.sorted().toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        return lines;
    }
}
