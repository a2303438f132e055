package io.duroxide.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.duroxide.agenttests.ChildJvm;
import io.duroxide.agenttests.GroundTruth;
import io.duroxide.agenttests.Ports;
import io.duroxide.provider.LockedWork;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.RuntimeOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real Prometheus (own port, config and TSDB directory, the shipped rule file loaded) scrapes two child
 * JVMs running the load generator's {@code error-spike} and {@code toygres} scenarios with the shaded agent
 * attached, one Prometheus job per scenario (per SQLite store). Once the final counts are scraped and the
 * rules have evaluated them, every query of the spec (sections 1 and 2), every dashboard panel and every
 * rule is evaluated through the HTTP API at one instant and checked against the SQLite stores.
 *
 * <p>Test-only substitutions, so that a run of seconds is enough: a scrape every 250 ms and rule evaluation
 * every second (the rule file says 30 s); Grafana's {@code $__rate_interval} becomes 1m and {@code $__range} 1h; the
 * spec's 5m and 1h windows stay as written (they cover the whole run). Alerts with a {@code for} clause
 * are checked as active (pending or firing), since the run is shorter than their hold time.
 *
 * <p>Counters are compared exactly. Rate-based answers cannot be: the agent creates a series when it first
 * counts, and what a series had counted when Prometheus first scraped it is invisible to {@code rate()}
 * (under load the engine commits turns in bursts, so this was up to 10 of 160 completions in one series);
 * and {@code rate()} extrapolates each series by up to 1.1 scrape intervals at either end. So a rate-based
 * answer must lie between what the stores' counts give with and without those first samples (read back
 * from Prometheus, see {@link #unseen}), widened by {@link #RATIO_SLACK} or {@link #COUNT_EXCESS} for the
 * extrapolation; a p95 from the buckets must be within one bucket of the stores' p95 (of the range of
 * quantiles the unseen observations allow, see {@link #p95Matches}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusEndToEndTest {
    static final Path LOADGEN_JAR = Path.of(System.getProperty("loadgen.jar", "../bench/target/duroxide-loadgen.jar"))
            .toAbsolutePath().normalize();
    static final List<String> SCENARIOS = List.of("error-spike", "toygres");
    static final String PROCESS_ORDER = "bench::ProcessOrder";
    static final String CREATE_INSTANCE = "toygres::CreateInstance";
    static final String CONFIGURE_BACKUPS = "toygres::ConfigureBackups";
    static final double[] ORCHESTRATION_BUCKETS = {0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 600, 1800, 3600};
    /** Slack for rate()'s extrapolation (each series by up to 1.1 scrape intervals at either end) in a ratio. */
    static final double RATIO_SLACK = 0.02;
    /** Largest accepted excess of a rate-based count (increase) over the stores' count, from extrapolation. */
    static final double COUNT_EXCESS = 0.10;

    Prometheus prometheus;
    final Map<String, ChildJvm> loads = new LinkedHashMap<>();
    Truth truth;
    double evalTime;
    /** job -> the store's locked work, read right after the gauges evaluated at {@link #evalTime}. */
    final Map<String, LockedWork> lockedByJob = new TreeMap<>();

    @BeforeAll
    void runBothScenariosUnderPrometheus() throws Exception {
        Prometheus.binary("prometheus");
        Files.createDirectories(OpsFiles.WORK);
        Path dir = Files.createTempDirectory(OpsFiles.WORK, "e2e-");
        Files.writeString(dir.resolve("duroxide-rules.yml"), Files.readString(OpsFiles.RULES).replace("interval: 30s", "interval: 1s"));
        String global = """
                global:
                  scrape_interval: 250ms
                  evaluation_interval: 1s
                rule_files: [duroxide-rules.yml]
                """;
        prometheus = Prometheus.start(dir, global);
        // each agent binds a port the kernel picks; Prometheus learns them as soon as the agents report them
        Map<String, Path> dbs = new LinkedHashMap<>();
        for (String scenario : SCENARIOS) {
            Path db = Ports.newDb(scenario);
            dbs.put(scenario, db);
            loads.put(scenario, ChildJvm.builder().name(scenario)
                    .classpath(LOADGEN_JAR.toString())
                    .main("io.duroxide.bench.LoadGenerator")
                    .args("--scenario", scenario, "--duration", "8", "--db", db.toString(), "--linger", "600")
                    .env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                    .metricsOnFreePort()
                    .env("DUROXIDE_METRICS_POLL_INTERVAL", "500ms")
                    .start());
        }
        StringBuilder config = new StringBuilder(global).append("scrape_configs:\n");
        for (String scenario : SCENARIOS) {
            config.append("  - job_name: ").append(scenario).append("\n    static_configs: [{targets: ['127.0.0.1:")
                    .append(loads.get(scenario).metricsPort()).append("']}]\n");
        }
        prometheus.reload(config.toString());
        prometheus.await("both load generators scraped", Duration.ofSeconds(60), () -> prometheus.targetsUp(t -> true, SCENARIOS.size()));
        Map<String, GroundTruth> byJob = new LinkedHashMap<>();
        for (String scenario : SCENARIOS) {
            loads.get(scenario).awaitLine(l -> l.startsWith("lingering"), Duration.ofSeconds(120));
            byJob.put(scenario, GroundTruth.read(dbs.get(scenario)));
        }
        truth = new Truth(byJob);

        prometheus.await("the final counts scraped", Duration.ofSeconds(30), this::finalCountsScraped);
        OffsetDateTime scraped = OffsetDateTime.now();
        prometheus.await("every rule group evaluated after the final scrape", Duration.ofSeconds(30), () -> {
            for (JsonNode group : prometheus.api("/api/v1/rules").path("groups")) {
                if (!OffsetDateTime.parse(group.path("lastEvaluation").asText()).isAfter(scraped.plusSeconds(1))) {
                    return false;
                }
            }
            return true;
        });
        // A gauge is the present, and an idle store still has occasional blips of one ready item: everything
        // is evaluated at an instant when the queue depth and locked work gauges equal the stores' read at that moment.
        prometheus.await("queue depth and locked work gauges equal to the stores'", Duration.ofSeconds(30),
                () -> queueGaugesMatch(dbs));
    }

    private boolean finalCountsScraped() throws Exception {
        double now = System.currentTimeMillis() / 1000.0;
        Map<String, Double> completions = Vectors.byLabels(
                prometheus.query("sum by (job) (duroxide_orchestration_completions_total)", now), "job");
        Map<String, Double> attempts = Vectors.byLabels(
                prometheus.query("sum by (job) (duroxide_activity_executions_total)", now), "job");
        for (Map.Entry<String, GroundTruth> e : truth.byJob.entrySet()) {
            double dbCompletions = e.getValue().of("completions").values().stream().mapToDouble(Double::doubleValue).sum();
            double dbAttempts = e.getValue().of("executions").values().stream().mapToDouble(Double::doubleValue).sum();
            if (completions.getOrDefault(e.getKey(), -1.0) != dbCompletions || attempts.getOrDefault(e.getKey(), -1.0) != dbAttempts) {
                return false;
            }
        }
        return true;
    }

    private boolean queueGaugesMatch(Map<String, Path> dbs) throws Exception {
        double now = System.currentTimeMillis() / 1000.0;
        Map<String, Double> gauges = Vectors.byLabels(prometheus.query("max by (job, worker_type) (duroxide_worker_queue_depth)", now),
                "job", "worker_type");
        Map<String, Double> locked = Vectors.byLabels(prometheus.query("max by (job, worker_type) (duroxide_worker_locked_items)",
                now), "job", "worker_type");
        boolean match = true;
        for (Map.Entry<String, GroundTruth> e : truth.byJob.entrySet()) {
            try (SqliteProvider store = SqliteProvider.open(dbs.get(e.getKey()))) {
                e.getValue().queueDepths = store.queueDepths();
                lockedByJob.put(e.getKey(), store.lockedWork().orElseThrow());
            }
            for (String type : List.of("activity", "orchestration")) {
                String key = e.getKey() + "|" + type;
                match &= gauges.getOrDefault(key, -1.0) == truth.queueDepth(type, e.getValue());
                match &= locked.getOrDefault(key, -1.0) == lockedItems(lockedByJob.get(e.getKey()), type);
            }
        }
        evalTime = now;
        return match;
    }

    @AfterAll
    void stop() {
        loads.values().forEach(ChildJvm::close);
        if (prometheus != null) {
            prometheus.close();
        }
    }

    JsonNode query(String promql) throws Exception {
        return prometheus.query(promql, evalTime);
    }

    /** The spec's "CreateInstance" is the fully qualified name (spec 1.1). */
    static String forThisRun(String specQuery) {
        return specQuery.replace("\"CreateInstance\"", "\"" + CREATE_INSTANCE + "\"");
    }

    // ---------------------------------------------------------------- spec queries

    interface Answer {
        /** Asserts the answer against the stores; returns a line for the log. */
        String check(JsonNode result) throws Exception;
    }

    @Test
    void everySpecQueryAnswersAsTheStoresSay() throws Exception {
        Map<String, Answer> answers = specAnswers();
        Set<String> seen = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        for (JsonNode q : OpsFiles.yaml(OpsFiles.SPEC_QUERIES)) {
            String id = q.path("id").asText();
            seen.add(id);
            String spec = forThisRun(q.path("spec").asText());
            String verdict = q.path("verdict").asText();
            try {
                JsonNode answer = switch (verdict) {
                    case "ok" -> query(spec);
                    case "parse_error" -> {
                        assertThatThrownBy(() -> query(spec)).as("the spec's form is refused")
                                .isInstanceOf(Prometheus.QueryError.class).hasMessageStartingWith("bad_data");
                        yield query(forThisRun(q.path("promql").asText()));
                    }
                    case "wrong" -> {
                        JsonNode working = query(forThisRun(q.path("promql").asText()));
                        assertThat(Vectors.normalised(query(spec))).as("the spec's form answers something else")
                                .isNotEqualTo(Vectors.normalised(working));
                        yield working;
                    }
                    default -> throw new AssertionError("unknown verdict " + verdict);
                };
                Answer check = answers.get(id);
                assertThat(check).as("a check for " + id).isNotNull();
                System.out.printf("spec %-34s %-11s %s%n", id, verdict, check.check(answer));
            } catch (AssertionError e) {
                failures.add(id + ": " + e.getMessage());
            }
        }
        assertThat(failures).as("spec queries whose answers disagree with the stores").isEmpty();
        assertThat(seen).isEqualTo(answers.keySet());
    }

    private Map<String, Answer> specAnswers() {
        Predicate<String[]> all = Truth.ALL;
        Map<String, Answer> a = new TreeMap<>();
        a.put("starts-rate-by-name", r -> {
            assertThat(Vectors.byLabels(r, "orchestration_name").keySet()).isEqualTo(truth.keys("starts", all, 0));
            assertThat(Vectors.byLabels(r, "orchestration_name").values()).allMatch(v -> v > 0);
            return Vectors.byLabels(r, "orchestration_name").toString();
        });
        a.put("starts-by-version", r -> {
            assertThat(Vectors.byLabels(r, "orchestration_name", "version")).isEqualTo(truth.counts("starts", all, 0, 1));
            return Vectors.byLabels(r, "orchestration_name", "version") + " = stores";
        });
        a.put("success-rate", this::successRateByName);
        a.put("success-rate-by-name", this::successRateByName);
        a.put("many-turns", r -> {
            assertThat(Vectors.byLabels(r).values().stream().mapToDouble(Double::doubleValue).sum())
                    .isEqualTo(truth.total("completions", t -> t[3].equals("50+")));
            return r.size() + " series = stores";
        });
        a.put("p95-duration-by-name", r -> {
            Map<String, Double> p95 = Vectors.byLabels(r, "orchestration_name");
            assertThat(p95.keySet()).isEqualTo(truth.keys("completions", all, 0));
            StringBuilder log = new StringBuilder();
            for (Map.Entry<String, Double> e : p95.entrySet()) {
                log.append(p95Matches(e.getKey(), e.getValue()));
            }
            return log.toString();
        });
        a.put("slower-than-5m", r -> {
            Map<String, Double> slow = Vectors.byLabels(r, "orchestration_name");
            assertThat(slow.keySet()).isEqualTo(truth.keys("completions", all, 0));
            for (Map.Entry<String, Double> e : slow.entrySet()) {
                long dbSlow = truth.byJob.values().stream()
                        .flatMap(t -> t.durationSeconds.getOrDefault(e.getKey(), List.of()).stream()).filter(d -> d > 300).count();
                assertThat(e.getValue() > 0).as(e.getKey()).isEqualTo(dbSlow > 0);
            }
            return slow.toString();
        });
        a.put("infrastructure-failures", r -> sameNames(r, "orchestration_name",
                truth.keys("failures", t -> t[2].equals("infrastructure_error"), 0)));
        a.put("nondeterminism", r -> {
            assertThat(Vectors.byLabels(r).values().stream().mapToDouble(Double::doubleValue).sum())
                    .isEqualTo(truth.total("failures", t -> t[2].equals("nondeterminism")));
            return r.size() + " series = stores";
        });
        a.put("activity-failure-rate", r -> sameNames(r, "activity_name", truth.keys("executions", t -> !t[1].equals("success"), 0)));
        a.put("retried-activities", r -> sameNames(r, "activity_name", truth.keys("executions", t -> !t[2].equals("0"), 0)));
        a.put("p99-activity-by-outcome", r -> {
            Map<String, Double> p99 = Vectors.byLabels(r, "activity_name", "outcome");
            assertThat(p99.keySet()).isEqualTo(truth.keys("executions", all, 0, 1));
            // NaN: every observation of that series was made before its first scrape (e.g. a single rare
            // failure), so rate() sees none of them
            assertThat(p99.values()).allMatch(v -> v.isNaN() || v >= 0 && v <= 300);
            return p99.toString();
        });
        a.put("activity-timeouts", r -> sameNames(r, "activity_name", truth.keys("executions", t -> t[1].equals("timeout"), 0)));
        a.put("non-retryable-errors", r -> sameNames(r, "activity_name", truth.keys("activity_errors", t -> t[3].equals("false"), 0)));
        a.put("infrastructure-errors-by-activity", r -> sameNames(r, "activity_name",
                truth.keys("activity_errors", t -> t[1].equals("infrastructure_error"), 0)));
        a.put("provider-p95", this::providerLatency);
        a.put("provider-p95-2.2", this::providerLatency);
        a.put("total-queue-depth", r -> queueDepths(r, false));
        a.put("avg-queue-depth", r -> queueDepths(r, true));
        a.put("overloaded-workers", r -> {
            long dbOverloaded = truth.byJob.values().stream().flatMap(t -> List.of(t.queueDepths.orchestratorReady(),
                    t.queueDepths.activityReady()).stream()).filter(d -> d > 100).count();
            assertThat((long) r.size()).isEqualTo(dbOverloaded);
            return r.size() + " workers = stores";
        });
        a.put("failed-creations", r -> {
            assertThat(r.isEmpty()).isEqualTo(truth.total("completions", t -> t[0].equals(CREATE_INSTANCE) && t[2].equals("failed")) == 0);
            return Vectors.byLabels(r, "final_turn_count").toString();
        });
        a.put("failure-breakdown", r -> sameNames(r, "error_type", truth.keys("failures", Truth.named(CREATE_INSTANCE), 2)));
        a.put("failing-activity", r -> {
            Map<String, Double> rates = Vectors.byLabels(r, "activity_name");
            Map<String, Double> db = truth.counts("activity_errors", t -> t[1].equals("app_error"), 0);
            assertThat(rates.keySet()).isEqualTo(db.keySet());
            String top = Collections.max(rates.entrySet(), Map.Entry.comparingByValue()).getKey();
            String dbTop = Collections.max(db.entrySet(), Map.Entry.comparingByValue()).getKey();
            assertThat(top).as("the activity failing most").isEqualTo(dbTop);
            return "top " + top + " (stores: " + db + ")";
        });
        a.put("creation-p95", r -> p95Matches(CREATE_INSTANCE, Vectors.single(r)));
        a.put("activity-p95", r -> sameNames(r, "activity_name", truth.keys("executions", all, 0)));
        a.put("processing-rate", r -> countMatches("attempts in 5m", Vectors.single(r) * 300,
                "duroxide_activity_executions_total", truth.total("executions", all)));
        a.put("utilisation", r -> {
            assertThat(r.size()).as("two workers per load generator").isEqualTo(2 * SCENARIOS.size());
            assertThat(Vectors.byLabels(r, "job", "worker_id").values()).allMatch(v -> v >= 0 && v <= 1);
            return Vectors.byLabels(r, "job", "worker_id").toString();
        });
        a.put("creations-per-hour", r -> countMatches("successful creations", Vectors.single(r),
                "duroxide_orchestration_completions_total{orchestration_name=\"" + CREATE_INSTANCE + "\",status=\"success\"}",
                truth.total("completions", t -> t[0].equals(CREATE_INSTANCE) && t[2].equals("success"))));
        return a;
    }

    private String successRateByName(JsonNode r) throws Exception {
        Map<String, Double> rates = Vectors.byLabels(r, "orchestration_name");
        assertThat(rates.keySet()).isEqualTo(truth.keys("completions", Truth.ALL, 0));
        StringBuilder log = new StringBuilder();
        for (Map.Entry<String, Double> e : rates.entrySet()) {
            log.append(successRateMatches(e.getKey(), e.getValue(), "orchestration_name=\"" + e.getKey() + "\"",
                    Truth.named(e.getKey()))).append(' ');
        }
        return log.toString();
    }

    /**
     * What each selected series had counted when Prometheus first scraped it, summed by the labels given:
     * the part of the stores' count that no rate() can see.
     */
    Map<String, Double> unseen(String selector, String... labels) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        JsonNode result = prometheus.api("/api/v1/query?query=" + URLEncoder.encode(selector + "[10m]", StandardCharsets.UTF_8)
                + "&time=" + evalTime).path("result");
        for (JsonNode series : result) {
            out.merge(Vectors.key(series.path("metric"), labels), series.path("values").path(0).path(1).asDouble(), Double::sum);
        }
        return out;
    }

    /** A rate-based success rate against the stores' completions of the same orchestrations. */
    String successRateMatches(String what, double rate, String selector, Predicate<String[]> completions) throws Exception {
        double success = truth.total("completions", completions.and(t -> t[2].equals("success")));
        double all = truth.total("completions", completions);
        Map<String, Double> unseen = unseen("duroxide_orchestration_completions_total{" + selector + "}", "status");
        double unseenSuccess = unseen.getOrDefault("success", 0.0);
        double unseenOther = unseen.values().stream().mapToDouble(Double::doubleValue).sum() - unseenSuccess;
        double low = (success - unseenSuccess) / (all - unseenSuccess) - RATIO_SLACK;
        double high = success / (all - unseenOther) + RATIO_SLACK;
        assertThat(rate).as("%s success rate; stores %.0f of %.0f, unseen by rate() %.0f + %.0f", what, success, all,
                unseenSuccess, unseenOther).isBetween(low, high);
        return String.format("%s %.4f (stores %.4f, accepted %.4f..%.4f)", what, rate, success / all, low, high);
    }

    /** A rate-based count (increase over a window covering the run) against the stores' count. */
    String countMatches(String what, double count, String selector, double stores) throws Exception {
        double unseen = unseen(selector).values().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(count).as("%s; stores %.0f, unseen by rate() %.0f", what, stores, unseen)
                .isBetween(stores - unseen - 1e-6, stores * (1 + COUNT_EXCESS));
        return String.format("%s %.1f (stores %.0f, unseen %.0f)", what, count, stores, unseen);
    }

    private String providerLatency(JsonNode r) {
        Map<String, Double> p95 = Vectors.byLabels(r, "operation");
        assertThat(p95.keySet()).contains("fetch", "ack", "create_instance", "query");
        assertThat(p95.values()).allMatch(v -> v > 0 && v <= 5);
        return p95.toString();
    }

    private String queueDepths(JsonNode r, boolean average) {
        Map<String, Double> depth = Vectors.byLabels(r, "worker_type");
        Map<String, Double> db = new TreeMap<>();
        for (String type : List.of("activity", "orchestration")) {
            double sum = truth.byJob.values().stream().mapToDouble(t -> truth.queueDepth(type, t)).sum();
            db.put(type, average ? sum / truth.byJob.size() : sum);
        }
        assertThat(depth).isEqualTo(db);
        return depth + " = stores";
    }

    private static String sameNames(JsonNode r, String label, Set<String> db) {
        assertThat(Vectors.byLabels(r, label).keySet()).as(label + " values").isEqualTo(db);
        return label + " " + db + " = stores";
    }

    static int bucket(double v) {
        for (int i = 0; i < ORCHESTRATION_BUCKETS.length; i++) {
            if (v <= ORCHESTRATION_BUCKETS[i]) {
                return i;
            }
        }
        return ORCHESTRATION_BUCKETS.length;
    }

    /**
     * A p95 from the duration buckets against the stores' durations: within one bucket of the stores' p95.
     * When rate() cannot see u of the n observations (see {@link #unseen}), the p95 of what it sees is a
     * quantile of all of them between 0.95(n-u)/n (the unseen all above) and (0.95(n-u)+u)/n (all below),
     * so the bucket may be one off that range.
     */
    String p95Matches(String name, double fromBuckets) throws Exception {
        double n = truth.durations(name).size();
        double u = unseen("duroxide_orchestration_duration_seconds_count{orchestration_name=\"" + name + "\"}")
                .values().stream().mapToDouble(Double::doubleValue).sum();
        double low = truth.durationQuantile(name, 0.95 * (n - u) / n);
        double high = truth.durationQuantile(name, (0.95 * (n - u) + u) / n);
        assertThat(bucket(fromBuckets)).as("%s p95 %.3f s from the buckets; the stores' p95 is %.3f s (%.3f..%.3f s with %.0f of %.0f"
                        + " unseen by rate())", name, fromBuckets, truth.durationQuantile(name, 0.95), low, high, u, n)
                .isBetween(bucket(low) - 1, bucket(high) + 1);
        return String.format("%s p95 %.3f s (stores %.3f s, %.0f of %.0f unseen) ", name, fromBuckets,
                truth.durationQuantile(name, 0.95), u, n);
    }

    // ---------------------------------------------------------------- dashboards

    record Selection(String orchestration, String activity) {}

    static final List<Selection> SELECTIONS = List.of(
            new Selection(PROCESS_ORDER, "bench::Reserve"), new Selection(CREATE_INSTANCE, "toygres::DeployPostgres"));

    static String substitute(String expr, Selection s) {
        return expr.replace("${orchestration_name}", s.orchestration()).replace("$orchestration_name", s.orchestration())
                .replace("${activity_name}", s.activity()).replace("$activity_name", s.activity())
                .replace("${job}", ".*").replace("$job", ".*")
                .replace("$__rate_interval", "1m").replace("$__range", "1h");
    }

    /** title -> expression of every panel target of a dashboard, rows included. */
    static Map<String, List<String>> panelQueries(JsonNode dashboard) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        for (int i = 0; i < panels.size(); i++) {
            JsonNode p = panels.get(i);
            p.path("panels").forEach(panels::add);
            for (JsonNode t : p.path("targets")) {
                out.computeIfAbsent(p.path("title").asText(), k -> new ArrayList<>()).add(t.path("expr").asText());
            }
        }
        return out;
    }

    @Test
    void everyDashboardPanelEvaluatesAndHasDataUnlessTheStoresHaveNone() throws Exception {
        // Panels about things this run never does; each is empty only if the stores (or the agent) agree.
        Map<String, Boolean> expectedEmpty = Map.of(
                "Continue-as-new per second", truth.total("can", Truth.ALL) == 0,
                "Timeouts per second by activity", truth.total("activity_errors", t -> t[1].equals("timeout")
                        && SELECTIONS.stream().anyMatch(s -> s.activity().equals(t[0]))) == 0,
                "Infrastructure failures per second", truth.total("failures", t -> t[2].equals("infrastructure_error")) == 0
                        && truth.total("activity_errors", t -> t[1].equals("infrastructure_error")) == 0,
                "Database errors per second", query("duroxide_provider_errors_total").isEmpty());
        List<String> failures = new ArrayList<>();
        int evaluated = 0;
        for (Path file : OpsFiles.dashboards()) {
            for (Map.Entry<String, List<String>> panel : panelQueries(OpsFiles.json(file)).entrySet()) {
                boolean data = false;
                for (String expr : panel.getValue()) {
                    for (Selection s : SELECTIONS) {
                        try {
                            data |= !query(substitute(expr, s)).isEmpty();
                            evaluated++;
                        } catch (Prometheus.QueryError e) {
                            failures.add(file.getFileName() + " / " + panel.getKey() + ": " + e.getMessage());
                        }
                    }
                }
                if (data == expectedEmpty.getOrDefault(panel.getKey(), false)) {
                    failures.add(file.getFileName() + " / " + panel.getKey() + (data ? ": has data" : ": no data"));
                }
            }
        }
        System.out.println("dashboards: " + evaluated + " panel queries evaluated");
        assertThat(failures).isEmpty();
    }

    private static long lockedItems(LockedWork w, String workerType) {
        return workerType.equals("orchestration") ? w.orchestratorLocked() : w.activityLocked();
    }

    private static Duration lockTimeout(String workerType) {
        return workerType.equals("orchestration") ? RuntimeOptions.DEFAULTS.orchestrationLockTimeout()
                : RuntimeOptions.DEFAULTS.activityLockTimeout();
    }

    /**
     * The infrastructure dashboard's locked-work panels, per store and queue: the locked items are the store's,
     * and the oldest lock age is 0 exactly when nothing is locked, else less than the lock timeout.
     */
    @Test
    void lockedWorkPanelsAnswerAsTheStoresSay() throws Exception {
        Map<String, List<String>> panels = panelQueries(OpsFiles.json(OpsFiles.DASHBOARDS.resolve("duroxide-infrastructure.json")));
        Selection all = new Selection(".*", ".*");
        Map<String, Double> locked = Vectors.byLabels(query(substitute(
                panels.get("Locked work (in flight, or held by a dead process)").get(0), all)), "job", "worker_type");
        Map<String, Double> ages = Vectors.byLabels(query(substitute(
                panels.get("Oldest lock age (since taken or last renewed)").get(0), all)), "job", "worker_type");
        for (Map.Entry<String, LockedWork> e : lockedByJob.entrySet()) {
            for (String type : List.of("activity", "orchestration")) {
                String key = e.getKey() + "|" + type;
                long storeLocked = lockedItems(e.getValue(), type);
                assertThat(locked).as(key).containsEntry(key, (double) storeLocked);
                assertThat(ages).as(key).containsKey(key);
                if (storeLocked == 0) {
                    assertThat(ages.get(key)).as(key).isZero();
                } else {
                    // an unexpired lock was taken or renewed less than its timeout ago (the load generator's are the defaults)
                    assertThat(ages.get(key)).as(key).isBetween(0.0, (double) lockTimeout(type).toSeconds());
                }
            }
        }
        assertThat(lockedByJob.keySet()).containsExactlyInAnyOrderElementsOf(SCENARIOS);
    }

    @Test
    void executiveDashboardFiguresMatchTheStores() throws Exception {
        Map<String, List<String>> panels = panelQueries(OpsFiles.json(OpsFiles.DASHBOARDS.resolve("duroxide-executive.json")));
        for (Selection s : SELECTIONS) {
            String name = s.orchestration();
            double success = Vectors.single(query(substitute(panels.get("Success rate (7 days)").get(0), s)));
            // a run may have no failed completion of a name (toygres fails at random): the panel then has no data
            JsonNode errorRate = query(substitute(panels.get("Error rate (last hour)").get(0), s));
            assertThat(errorRate.isEmpty()).as("error rate of %s has no data", name)
                    .isEqualTo(truth.total("completions", t -> t[0].equals(name) && t[2].equals("failed")) == 0);
            double failed = errorRate.isEmpty() ? 0 : Vectors.single(errorRate);
            String selector = "orchestration_name=\"" + name + "\"";
            System.out.println("executive " + successRateMatches(name, success, selector, Truth.named(name)));
            // no cancellations in these runs, so failed = 1 - success
            assertThat(truth.total("completions", t -> t[2].equals("cancelled"))).isZero();
            successRateMatches(name + " (1 - error rate)", 1 - failed, selector, Truth.named(name));
            p95Matches(name, Vectors.single(query(substitute(panels.get("p95 orchestration duration (last hour)").get(0), s))));
        }
        JsonNode active = query(substitute(panels.get("Active orchestrations").get(0), new Selection(".*", ".*")));
        assertThat(active.isEmpty() ? 0.0 : Vectors.single(active)).isEqualTo(truth.activeInstances());
    }

    @Test
    void dashboardVariablesListWhatTheStoresHave() throws Exception {
        Map<String, Set<String>> expected = Map.of(
                "job", new TreeSet<>(SCENARIOS),
                "orchestration_name", truth.keys("starts", Truth.ALL, 0),
                "activity_name", truth.keys("executions", Truth.ALL, 0));
        for (Path file : OpsFiles.dashboards()) {
            for (JsonNode v : OpsFiles.json(file).path("templating").path("list")) {
                if (!v.path("type").asText().equals("query")) {
                    continue;
                }
                // label_values(selector, label) is Grafana's call of /api/v1/label/<label>/values?match[]=selector
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("label_values\\((.*), *(\\w+)\\)")
                        .matcher(v.path("query").path("query").asText());
                assertThat(m.matches()).as(file + " " + v.path("name")).isTrue();
                String selector = substitute(m.group(1), new Selection(".*", ".*"));
                Set<String> values = new TreeSet<>();
                prometheus.api("/api/v1/label/" + m.group(2) + "/values?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8))
                        .forEach(n -> values.add(n.asText()));
                assertThat(values).as(file.getFileName() + " $" + v.path("name").asText()).isEqualTo(expected.get(v.path("name").asText()));
            }
        }
    }

    // ---------------------------------------------------------------- rules

    @Test
    void everyRuleIsLoadedEvaluatesWithoutErrorAndRecordsWhatTheStoresSay() throws Exception {
        int rules = 0;
        for (JsonNode group : prometheus.api("/api/v1/rules").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                assertThat(rule.path("health").asText()).as(rule.path("name") + " " + rule.path("lastError")).isEqualTo("ok");
                query(rule.path("query").asText());
            }
        }
        assertThat(rules).isEqualTo(OpsFiles.rules().size());

        Map<String, Double> byName = Vectors.byLabels(query("job_orchestration_name:duroxide_orchestration_success_rate:rate5m"),
                "job", "orchestration_name");
        assertThat(byName.keySet()).hasSize(3);
        for (Map.Entry<String, Double> e : byName.entrySet()) {
            String name = e.getKey().split("\\|")[1];
            successRateMatches(e.getKey(), e.getValue(), "orchestration_name=\"" + name + "\"", Truth.named(name));
        }
        Map<String, Double> byJob = Vectors.byLabels(query("job:duroxide_orchestration_success_rate:rate5m"), "job");
        assertThat(byJob.keySet()).isEqualTo(truth.byJob.keySet());
        for (String job : truth.byJob.keySet()) {
            Set<String> names = truth.byJob.get(job).of("starts").keySet().stream().map(k -> k.split("\\|")[0])
                    .collect(java.util.stream.Collectors.toSet());
            successRateMatches(job, byJob.get(job), "job=\"" + job + "\"", t -> names.contains(t[0]));
        }
        for (Map.Entry<String, Double> e : Vectors.byLabels(query("job_orchestration_name:duroxide_orchestration_duration_seconds:p95_rate5m"),
                "orchestration_name").entrySet()) {
            p95Matches(e.getKey(), e.getValue());
        }
        // a gauge rule's recorded sample may be a second older than the instant the stores were read at
        Map<String, Double> depth = Vectors.byLabels(query(ruleQuery("job_worker_type:duroxide_worker_queue_depth:max")), "job", "worker_type");
        truth.byJob.forEach((job, t) -> {
            for (String type : List.of("activity", "orchestration")) {
                assertThat(depth.get(job + "|" + type)).as(job + " " + type).isEqualTo((double) truth.queueDepth(type, t));
            }
        });
        String top = Collections.max(Vectors.byLabels(query(
                "sum by (activity_name) (job_activity_name_error_type:duroxide_activity_errors:rate5m{error_type=\"app_error\"})"),
                "activity_name").entrySet(), Map.Entry.comparingByValue()).getKey();
        assertThat(top).isEqualTo(Collections.max(truth.counts("activity_errors", t -> t[1].equals("app_error"), 0).entrySet(),
                Map.Entry.comparingByValue()).getKey());
    }

    String ruleQuery(String name) throws Exception {
        for (JsonNode group : prometheus.api("/api/v1/rules").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.path("name").asText().equals(name)) {
                    return rule.path("query").asText();
                }
            }
        }
        throw new AssertionError("no rule " + name);
    }

    @Test
    void cardinalityStaysUnderTheSpecsBudget() throws Exception {
        double series = Vectors.single(query("count({__name__=~\"duroxide_.+\"})"));
        int names = prometheus.api("/api/v1/label/__name__/values").size();
        System.out.printf("cardinality: %.0f duroxide series, %d metric names (spec 6.2: under 10,000 series)%n", series, names);
        assertThat(series).isLessThan(10_000);
    }

    @Test
    void activeAlertsAreTheOnesTheStoresCallFor() throws Exception {
        Map<String, String> active = new TreeMap<>();
        for (JsonNode alert : prometheus.api("/api/v1/alerts").path("alerts")) {
            active.put(alert.path("labels").path("alertname").asText() + " " + Vectors.key(alert.path("labels"), "job", "orchestration_name",
                    "worker_type"), alert.path("state").asText());
        }
        System.out.println("alerts: " + active);
        double processOrder = truth.successRate(Truth.named(PROCESS_ORDER));
        assertThat(processOrder).as("error-spike fails far more often than the SLA allows").isLessThan(0.9);
        assertThat(active).containsKey("DuroxideSuccessRateBelowSLA error-spike|" + PROCESS_ORDER + "|");
        assertThat(truth.successRate(Truth.named(CONFIGURE_BACKUPS))).isEqualTo(1.0);
        assertThat(active).doesNotContainKey("DuroxideSuccessRateBelowSLA toygres|" + CONFIGURE_BACKUPS + "|");
        // CreateInstance is near the threshold: its alert must follow the recorded rate, which matches the store
        double recorded = Vectors.single(query(
                "job_orchestration_name:duroxide_orchestration_success_rate:rate5m{orchestration_name=\"" + CREATE_INSTANCE + "\"}"));
        if (Math.abs(recorded - 0.95) > 0.005) { // closer, the sliding 5m window may cross the threshold between evaluations
            assertThat(active.containsKey("DuroxideSuccessRateBelowSLA toygres|" + CREATE_INSTANCE + "|")).isEqualTo(recorded < 0.95);
        }

        assertThat(truth.total("failure_kinds", t -> t[1].equals("NONDETERMINISM") || t[1].equals("POISON"))).isZero();
        assertThat(truth.total("failures", t -> t[2].equals("infrastructure_error"))).isZero();
        // After the run (every instance ended) the stores still show an occasional ready orchestrator item for
        // a poll while nothing is processed: the backlog is infinite for that moment, and the alert's
        // 10-minute hold is what keeps such a blip from firing.
        active.forEach((alert, state) -> assertThat(alert.startsWith("DuroxideSuccessRateBelowSLA ")
                || alert.startsWith("DuroxideBacklog ") && state.equals("pending")).as(alert + " " + state).isTrue());
    }
}
