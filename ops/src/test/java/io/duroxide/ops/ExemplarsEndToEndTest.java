package io.duroxide.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.duroxide.agent.AgentConfig;
import io.duroxide.agenttests.ChildJvm;
import io.duroxide.agenttests.Ports;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real Prometheus with exemplar storage ({@code --enable-feature=exemplar-storage}) scrapes a child JVM running
 * the load generator's {@code error-spike} scenario with the shaded agent attached; it asks for OpenMetrics, as it
 * does by default. The exemplars {@code /api/v1/query_exemplars} then returns must name what the SQLite store holds:
 * an execution of the instance that ended the way its series says, whose duration (from the store) falls in the
 * bucket the exemplar came with; for activities an attempt of that activity the execution scheduled, whose outcome
 * is the series' and which ran for no longer than the store allows the bucket's lower bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExemplarsEndToEndTest {
    static final String SCENARIO = "error-spike";

    Prometheus prometheus;
    ChildJvm load;
    SqliteProvider store;
    double start;

    @BeforeAll
    void runTheScenarioUnderPrometheusWithExemplarStorage() throws Exception {
        Prometheus.binary("prometheus");
        start = System.currentTimeMillis() / 1000.0;
        Files.createDirectories(OpsFiles.WORK);
        Path dir = Files.createTempDirectory(OpsFiles.WORK, "exemplars-");
        String global = "global:\n  scrape_interval: 250ms\n";
        prometheus = Prometheus.start(dir, global, "--enable-feature=exemplar-storage");
        Path db = Ports.newDb(SCENARIO);
        load = ChildJvm.builder().name(SCENARIO)
                .classpath(PrometheusEndToEndTest.LOADGEN_JAR.toString())
                .main("io.duroxide.bench.LoadGenerator")
                .args("--scenario", SCENARIO, "--duration", "6", "--db", db.toString(), "--linger", "600")
                .env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                .metricsOnFreePort()
                .start();
        prometheus.reload(global + "scrape_configs:\n  - job_name: " + SCENARIO + "\n    static_configs: [{targets: ['127.0.0.1:"
                + load.metricsPort() + "']}]\n");
        prometheus.await("the load generator scraped", Duration.ofSeconds(60), () -> prometheus.targetsUp(t -> true, 1));
        load.awaitLine(l -> l.startsWith("lingering"), Duration.ofSeconds(120));
        store = SqliteProvider.open(db);
    }

    @AfterAll
    void stop() {
        if (store != null) {
            store.close();
        }
        if (load != null) {
            load.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** One stored exemplar: the labels of its series and its own. */
    record Stored(JsonNode series, JsonNode labels, double value) {
        String series(String label) {
            return series.path(label).asText();
        }

        String instanceId() {
            return labels.path("instance_id").asText();
        }

        long executionId() {
            return Long.parseLong(labels.path("execution_id").asText());
        }

        int attempt() {
            return Integer.parseInt(labels.path("attempt").asText());
        }

        double le() {
            return Double.parseDouble(series("le").replace("+Inf", "Infinity"));
        }

        @Override
        public String toString() {
            return series + " # " + labels + " " + value;
        }
    }

    /** The exemplars Prometheus stored for the selector, once it has some. */
    List<Stored> exemplars(String selector) throws Exception {
        List<Stored> out = new ArrayList<>();
        prometheus.await("exemplars of " + selector, Duration.ofSeconds(60), () -> {
            out.clear();
            for (JsonNode series : prometheus.exemplars(selector, start, System.currentTimeMillis() / 1000.0 + 60)) {
                for (JsonNode e : series.path("exemplars")) {
                    out.add(new Stored(series.path("seriesLabels"), e.path("labels"), e.path("value").asDouble()));
                }
            }
            return !out.isEmpty();
        });
        System.out.println(selector + ": " + out.size() + " exemplars, e.g. " + out.get(0));
        return out;
    }

    /** The bucket below {@code le} in the agent's default buckets of this setting (0 below the first). */
    static double lowerBound(String bucketsSetting, double le) {
        double[] bounds = Arrays.stream(AgentConfig.SETTINGS.get(bucketsSetting).split(",")).mapToDouble(Double::parseDouble).toArray();
        double lower = 0;
        for (double b : bounds) {
            if (b < le) {
                lower = b;
            }
        }
        return lower;
    }

    private List<HistoryEvent> history(Stored e) {
        Optional<ExecutionRecord> execution = store.getExecution(e.instanceId(), e.executionId());
        assertThat(execution).as("execution of %s in the store", e).isPresent();
        return store.readHistory(e.instanceId(), e.executionId());
    }

    private HistoryEvent terminal(Stored e) {
        List<HistoryEvent> history = history(e);
        HistoryEvent last = history.get(history.size() - 1);
        assertThat(last).as("%s ended in the store", e).isInstanceOf(HistoryEvent.Terminal.class);
        assertThat(store.getInstance(e.instanceId()).orElseThrow().name()).as("%s orchestration", e)
                .isEqualTo(e.series("orchestration_name"));
        return last;
    }

    @Test
    void orchestrationDurationExemplarsAreExecutionsOfTheStoreInTheirBucket() throws Exception {
        for (Stored e : exemplars("duroxide_orchestration_duration_seconds_bucket")) {
            HistoryEvent last = terminal(e);
            String status = last instanceof HistoryEvent.ExecutionCompleted ? "success"
                    : last instanceof HistoryEvent.ExecutionFailed ? "failed" : "cancelled";
            assertThat(status).as("%s status in the store", e).isEqualTo(e.series("status"));
            long startedAt = store.getExecution(e.instanceId(), e.executionId()).orElseThrow().startedAt().toEpochMilli();
            double seconds = (last.timestampMs() - startedAt) / 1000.0;
            assertThat(seconds).as("%s: duration in the store", e)
                    .isGreaterThan(lowerBound("BUCKETS_ORCHESTRATION_DURATION", e.le())).isLessThanOrEqualTo(e.le());
            assertThat(e.value()).as("%s: the exemplar's value is the store's duration", e).isCloseTo(seconds, within(0.001));
        }
    }

    @Test
    void orchestrationFailureExemplarsAreFailedExecutionsOfTheStore() throws Exception {
        for (Stored e : exemplars("duroxide_orchestration_failures_total")) {
            assertThat(terminal(e)).as("%s failed in the store", e).isInstanceOf(HistoryEvent.ExecutionFailed.class);
        }
    }

    /** The attempt's scheduling event and what ended it (null for none, e.g. a timeout won the race). */
    record Attempt(HistoryEvent.ActivityScheduled scheduled, HistoryEvent completion) {}

    private List<Attempt> attempts(Stored e) {
        List<HistoryEvent> history = history(e);
        Map<Integer, HistoryEvent> completions = new TreeMap<>();
        for (HistoryEvent h : history) {
            if (h instanceof HistoryEvent.ActivityCompleted c) {
                completions.put(c.taskId(), c);
            } else if (h instanceof HistoryEvent.ActivityFailed f) {
                completions.put(f.taskId(), f);
            }
        }
        List<Attempt> out = new ArrayList<>();
        for (HistoryEvent h : history) {
            if (h instanceof HistoryEvent.ActivityScheduled a && a.name().equals(e.series("activity_name")) && a.attempt() == e.attempt()) {
                out.add(new Attempt(a, completions.get(a.taskId())));
            }
        }
        assertThat(out).as("%s: the execution scheduled that attempt of the activity", e).isNotEmpty();
        return out;
    }

    @Test
    void activityDurationExemplarsAreAttemptsOfTheStoreThatFitTheirBucket() throws Exception {
        for (Stored e : exemplars("duroxide_activity_duration_seconds_bucket")) {
            boolean success = e.series("outcome").equals("success");
            double lower = lowerBound("BUCKETS_ACTIVITY_DURATION", e.le());
            assertThat(e.value()).as("%s value in its bucket", e).isGreaterThan(lower).isLessThanOrEqualTo(e.le());
            // the attempt ran between the turn that scheduled it and the turn that recorded its end
            assertThat(attempts(e)).as("%s: an attempt of that outcome that ran at least the bucket's lower bound", e)
                    .anyMatch(a -> (a.completion() instanceof HistoryEvent.ActivityCompleted) == success
                            && (a.completion() == null || (a.completion().timestampMs() - a.scheduled().timestampMs() + 1) / 1000.0 > lower));
        }
    }

    @Test
    void activityErrorExemplarsAreFailedAttemptsOfTheStore() throws Exception {
        for (Stored e : exemplars("duroxide_activity_errors_total")) {
            assertThat(attempts(e)).as("%s: an attempt that did not succeed", e)
                    .anyMatch(a -> !(a.completion() instanceof HistoryEvent.ActivityCompleted));
        }
    }
}
