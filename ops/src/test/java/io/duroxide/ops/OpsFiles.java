package io.duroxide.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The shipped operations files (what an operator copies), read from the module directory. */
final class OpsFiles {
    static final Path DIR = Path.of(System.getProperty("ops.dir", ".")).toAbsolutePath().normalize();
    static final Path RULES = DIR.resolve("prometheus/duroxide-rules.yml");
    static final Path RULES_TEST = DIR.resolve("prometheus/duroxide-rules.test.yml");
    static final Path SPEC_QUERIES = DIR.resolve("prometheus/spec-queries.yml");
    static final Path DASHBOARDS = DIR.resolve("grafana");
    static final Path WORK = Path.of(System.getProperty("work.dir", "target/it-work")).toAbsolutePath();

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    private OpsFiles() {}

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> dashboards() {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every rule of the rules file, recording and alerting, in file order. */
    static List<JsonNode> rules() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode group : yaml(RULES).path("groups")) {
            group.path("rules").forEach(out::add);
        }
        return out;
    }
}
