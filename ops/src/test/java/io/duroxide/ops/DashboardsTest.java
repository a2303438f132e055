package io.duroxide.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboards are importable as they are: the four of spec 5, a Prometheus datasource variable that every
 * panel uses (no datasource uid of someone else's Grafana), the orchestration_name and activity_name
 * variables, and only metric names the agent exports. Whether the queries work is PrometheusEndToEndTest's.
 */
class DashboardsTest {
    static final Path AGENT_README = OpsFiles.DIR.resolve("../agent/README.md").normalize();
    static final Pattern METRIC = Pattern.compile("\\bduroxide_[a-z_]+");
    static final Pattern EXEMPLAR_METRIC = Pattern.compile("\\bduroxide_(orchestration|activity)_duration_seconds_bucket\\b");

    @Test
    void theFourDashboardsOfTheSpec() {
        Set<String> titles = new TreeSet<>();
        Set<String> uids = new HashSet<>();
        for (Path file : OpsFiles.dashboards()) {
            JsonNode d = OpsFiles.json(file);
            titles.add(d.path("title").asText());
            assertThat(uids.add(d.path("uid").asText())).as(file + " uid unique").isTrue();
            assertThat(d.has("id")).as(file + ": no database id, so that import creates it").isFalse();
        }
        assertThat(titles).containsExactly("Duroxide / Activity performance", "Duroxide / Executive",
                "Duroxide / Infrastructure health", "Duroxide / Orchestration deep dive");
    }

    @Test
    void variablesAndDatasources() {
        for (Path file : OpsFiles.dashboards()) {
            JsonNode d = OpsFiles.json(file);
            Map<String, JsonNode> vars = new java.util.TreeMap<>();
            d.path("templating").path("list").forEach(v -> vars.put(v.path("name").asText(), v));
            assertThat(vars).as(file.toString()).containsKeys("datasource", "job", "orchestration_name", "activity_name");
            assertThat(vars.get("datasource").path("type").asText()).isEqualTo("datasource");
            assertThat(vars.get("datasource").path("query").asText()).isEqualTo("prometheus");
            for (String name : List.of("job", "orchestration_name", "activity_name")) {
                JsonNode v = vars.get(name);
                assertThat(v.path("datasource").path("uid").asText()).as(file + " $" + name).isEqualTo("${datasource}");
                assertThat(v.path("includeAll").asBoolean() && v.path("allValue").asText().equals(".*")).as(file + " $" + name + " All = .*").isTrue();
            }
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.path("panels")) {
                assertThat(ids.add(p.path("id").asInt())).as(file + " panel id " + p.path("id")).isTrue();
                assertThat(p.path("datasource").path("uid").asText()).as(file + " " + p.path("title")).isEqualTo("${datasource}");
                assertThat(p.path("targets").size()).as(file + " " + p.path("title")).isPositive();
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                    assertThat(t.path("expr").asText()).isNotBlank();
                }
                assertThat(p.path("gridPos").path("w").asInt()).isBetween(1, 24);
            }
        }
    }

    /**
     * Grafana draws exemplars only where a target asks for them: every graph of the orchestration or activity
     * durations does, so a point of the graph leads to an instance id (the agent's exemplars, agent/README.md).
     */
    @Test
    void durationGraphsShowExemplars() {
        int graphs = 0;
        for (Path file : OpsFiles.dashboards()) {
            for (JsonNode p : OpsFiles.json(file).path("panels")) {
                boolean graph = p.path("type").asText().equals("timeseries") || p.path("type").asText().equals("heatmap");
                for (JsonNode t : p.path("targets")) {
                    if (graph && EXEMPLAR_METRIC.matcher(t.path("expr").asText()).find()) {
                        graphs++;
                        assertThat(t.path("exemplar").asBoolean()).as(file.getFileName() + " / " + p.path("title") + " exemplar").isTrue();
                    }
                }
            }
        }
        assertThat(graphs).as("duration graphs").isPositive();
    }

    @Test
    void panelsUseOnlyMetricsTheAgentExports() throws IOException {
        Set<String> exported = new TreeSet<>();
        Matcher readme = METRIC.matcher(Files.readString(AGENT_README));
        while (readme.find()) {
            exported.add(readme.group());
        }
        for (Path file : OpsFiles.dashboards()) {
            Matcher m = METRIC.matcher(Files.readString(file));
            while (m.find()) {
                String metric = m.group().replaceAll("_(bucket|count|sum)$", "");
                assertThat(exported).as(file.getFileName() + " uses " + m.group()).contains(metric);
            }
        }
    }
}
