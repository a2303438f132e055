package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One child JVM runs a known workload (N orders of which K fail, retried activities, a timeout,
 * sub-orchestrations, continue-as-new, a suspended, a cancelled and a completed waiter) against a real
 * SQLite file with the shaded agent attached; every metric scraped from the real endpoint must equal
 * what the database reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KnownWorkloadIT {
    static final int N = 12;
    static final int K = 4;

    ChildJvm child;
    Path db;
    int port;
    GroundTruth truth;
    Scrape scrape;

    @BeforeAll
    void runWorkload() throws Exception {
        db = Ports.newDb("known");
        child = ChildJvm.builder().name("known")
                .metricsOnFreePort()
                .env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                .env("DUROXIDE_METRICS_POLL_INTERVAL", "200ms")
                .args("known", db.toString(), Integer.toString(N), Integer.toString(K))
                .start();
        port = child.metricsPort();
        child.awaitDone(Duration.ofSeconds(120));
        truth = GroundTruth.read(db);
        scrape = Scrape.until(port, s -> tuples(s, "duroxide_orchestration_completions_total",
                        "orchestration_name", "version", "status", "final_turn_count").equals(truth.of("completions"))
                && tuples(s, "duroxide_activity_executions_total", "activity_name", "outcome", "retry_attempt")
                        .equals(truth.of("executions"))
                && s.value("duroxide_orchestration_active_instances", "orchestration_name", "Waiter", "state", "suspended") == 1.0
                // the processing rate appears at the second poll, one poll interval after the first scrape
                && s.series("duroxide_worker_processing_rate").size() == 2,
                Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() throws Exception {
        if (child != null) {
            try {
                assertThat(child.finish(Duration.ofSeconds(30))).as(child.output()).isZero();
                assertThat(child.output()).contains("EXITED");
            } finally {
                child.close();
            }
        }
    }

    /** label tuple (values of the keys joined with '|') to the summed value, for one metric. */
    static Map<String, Double> tuples(Scrape s, String metric, String... keys) {
        Map<String, Double> out = new TreeMap<>();
        for (Scrape.Sample sample : s.series(metric)) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < keys.length; i++) {
                b.append(i == 0 ? "" : "|").append(sample.label(keys[i]));
            }
            out.merge(b.toString(), sample.value(), Double::sum);
        }
        return out;
    }

    @Test
    void theWorkloadIsWhatTheTestExpects() {
        assertThat(truth.of("completions")).containsEntry("Order|2.0.0|failed|6-10", (double) K)
                .containsEntry("Order|2.0.0|success|6-10", (double) (N - K));
        assertThat(truth.of("can")).isNotEmpty();
        assertThat(truth.active).containsEntry("Waiter|suspended", 1.0);
    }

    @Test
    void starts() {
        assertThat(tuples(scrape, "duroxide_orchestration_starts_total", "orchestration_name", "version", "initiated_by"))
                .isEqualTo(truth.of("starts"))
                .containsKeys("Order|2.0.0|client", "Child|1.0.0|suborchestration", "Counter|1.0.0|continueAsNew",
                        "Waiter|1.0.0|signal");
    }

    @Test
    void completions() {
        assertThat(tuples(scrape, "duroxide_orchestration_completions_total", "orchestration_name", "version", "status",
                "final_turn_count")).isEqualTo(truth.of("completions"));
    }

    @Test
    void durations() {
        assertThat(tuples(scrape, "duroxide_orchestration_duration_seconds_count", "orchestration_name", "version", "status"))
                .isEqualTo(truth.of("duration_count"));
        assertBuckets("duroxide_orchestration_duration_seconds_bucket", 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 600, 1800, 3600);
    }

    @Test
    void failures() {
        assertThat(tuples(scrape, "duroxide_orchestration_failures_total", "orchestration_name", "version", "error_type"))
                .isEqualTo(truth.of("failures"));
        assertThat(scrape.value("duroxide_orchestration_failures_total", "orchestration_name", "Order", "version", "2.0.0",
                "error_type", "app_error", "error_category", "logic")).isEqualTo(K);
        assertThat(scrape.value("duroxide_orchestration_failures_total", "orchestration_name", "Slow", "version", "1.0.0",
                "error_type", "timeout", "error_category", "timeout")).isEqualTo(1.0);
        assertThat(scrape.value("duroxide_orchestration_failures_total", "orchestration_name", "FailingChild", "version", "1.0.0",
                "error_type", "app_error", "error_category", "logic")).isEqualTo(2.0);
    }

    @Test
    void activities() {
        assertThat(tuples(scrape, "duroxide_activity_executions_total", "activity_name", "outcome", "retry_attempt"))
                .isEqualTo(truth.of("executions"))
                .containsEntry("Charge|retry|0", (double) N)
                .containsEntry("Charge|retry|1", (double) N)
                .containsEntry("Charge|success|2", (double) N)
                .containsEntry("Ship|app_error|0", (double) K)
                .containsEntry("SlowOp|timeout|0", 1.0);
        Map<String, Double> byOutcome = new TreeMap<>();
        tuples(scrape, "duroxide_activity_executions_total", "activity_name", "outcome").forEach(byOutcome::put);
        assertThat(tuples(scrape, "duroxide_activity_duration_seconds_count", "activity_name", "outcome")).isEqualTo(byOutcome);
        assertThat(tuples(scrape, "duroxide_activity_errors_total", "activity_name", "error_type", "error_code", "retryable"))
                .isEqualTo(truth.of("activity_errors"))
                .containsEntry("Charge|app_error|CARD_DECLINED|true", 2.0 * N)
                .containsEntry("Ship|app_error|OUT_OF_STOCK|false", (double) K);
        assertBuckets("duroxide_activity_duration_seconds_bucket", 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300);
    }

    @Test
    void historySizes() {
        assertThat(tuples(scrape, "duroxide_orchestration_history_size_count", "orchestration_name"))
                .isEqualTo(truth.of("history_count"));
        assertThat(tuples(scrape, "duroxide_orchestration_history_size_sum", "orchestration_name")).isEqualTo(truth.historySizeSum);
        assertBuckets("duroxide_orchestration_history_size_bucket", 10, 50, 100, 500, 1000, 5000, 10000);
    }

    @Test
    void continueAsNew() {
        assertThat(tuples(scrape, "duroxide_orchestration_continue_as_new_total", "orchestration_name", "execution_id"))
                .isEqualTo(truth.of("can"))
                .containsEntry("Counter|1", 2.0)
                .containsEntry("Counter|2-10", 4.0);
    }

    @Test
    void subOrchestrations() {
        assertThat(tuples(scrape, "duroxide_suborchestration_calls_total", "parent_orchestration", "child_orchestration", "outcome"))
                .isEqualTo(truth.of("subcalls"))
                .containsEntry("Parent|Child|success", 2.0)
                .containsEntry("Parent|FailingChild|failed", 2.0);
    }

    @Test
    void activeInstances() {
        Map<String, Double> scraped = tuples(scrape, "duroxide_orchestration_active_instances", "orchestration_name", "state");
        scraped.values().removeIf(v -> v == 0.0);
        assertThat(scraped).isEqualTo(truth.active);
        assertThat(scrape.labelValues("duroxide_orchestration_active_instances", "state"))
                .isSubsetOf("running", "waiting", "suspended", "pending");
    }

    @Test
    void provider() {
        assertThat(scrape.value("duroxide_provider_operations_total", "operation", "create_instance", "status", "success"))
                .isEqualTo(truth.clientCreatedInstances);
        assertThat(scrape.labelValues("duroxide_provider_operation_duration_seconds_count", "operation"))
                .contains("fetch", "ack", "create_instance", "query")
                .isSubsetOf("fetch", "ack", "abandon", "renew_lock", "save_event", "create_instance", "query", "purge", "other");
        // idle polling keeps fetching while the exposition is written, so fetch counts may move between two families
        Map<String, Double> durations = tuples(scrape, "duroxide_provider_operation_duration_seconds_count", "operation", "status");
        Map<String, Double> operations = tuples(scrape, "duroxide_provider_operations_total", "operation", "status");
        assertThat(durations.keySet()).isEqualTo(operations.keySet());
        durations.forEach((k, v) -> {
            if (k.startsWith("fetch|")) {
                assertThat(v).as(k).isCloseTo(operations.get(k), org.assertj.core.data.Percentage.withPercentage(10));
            } else {
                assertThat(v).as(k).isEqualTo(operations.get(k));
            }
        });
        assertThat(scrape.labelValues("duroxide_provider_errors_total", "error_type")).isSubsetOf(
                "timeout", "connection", "deadlock", "corruption", "constraint_violation", "lock_lost", "not_found",
                "invalid_state", "other");
        assertBuckets("duroxide_provider_operation_duration_seconds_bucket", 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5);
    }

    @Test
    void workers() {
        assertThat(scrape.labelValues("duroxide_worker_count", "worker_type")).containsExactlyInAnyOrder("orchestration", "activity");
        assertThat(scrape.sum("duroxide_worker_count", "worker_type", "orchestration")).isEqualTo(2.0);
        assertThat(scrape.sum("duroxide_worker_count", "worker_type", "activity")).isEqualTo(4.0);
        assertThat(scrape.sum("duroxide_worker_active_time_seconds", "worker_type", "activity")).isPositive();
        assertThat(scrape.sum("duroxide_worker_items_processed_total", "worker_type", "orchestration")).isPositive();
        double attempts = scrape.sum("duroxide_activity_executions_total");
        assertThat(scrape.sum("duroxide_worker_items_processed_total", "worker_type", "activity")).isGreaterThanOrEqualTo(attempts);
        for (String gauge : List.of("duroxide_worker_queue_depth", "duroxide_worker_processing_rate",
                "duroxide_worker_active_time_seconds", "duroxide_worker_count")) {
            assertThat(scrape.labelKeySets(gauge)).as(gauge).containsExactly(Set.of("worker_type", "worker_id"));
            assertThat(scrape.series(gauge)).as(gauge).hasSize(2);
        }
        assertThat(scrape.sum("duroxide_worker_queue_depth")).isZero(); // everything is done
    }

    @Test
    void everyMetricHasOneLabelKeySetAndNoAbsentValues() {
        Set<String> families = new TreeSet<>();
        for (Scrape.Sample s : scrape.samples) {
            families.add(s.name());
            assertThat(s.labels().values()).as(s.toString()).doesNotContain("", "null");
        }
        for (String family : families) {
            assertThat(scrape.labelKeySets(family)).as(family).hasSize(1);
        }
        assertThat(families).contains("duroxide_orchestration_starts_total", "duroxide_orchestration_completions_total",
                "duroxide_orchestration_duration_seconds_bucket", "duroxide_orchestration_failures_total",
                "duroxide_activity_executions_total", "duroxide_activity_duration_seconds_bucket", "duroxide_activity_errors_total",
                "duroxide_provider_operation_duration_seconds_bucket", "duroxide_worker_queue_depth",
                "duroxide_worker_processing_rate", "duroxide_worker_active_time_seconds", "duroxide_worker_count",
                "duroxide_orchestration_history_size_bucket", "duroxide_orchestration_active_instances",
                "duroxide_orchestration_continue_as_new_total", "duroxide_suborchestration_calls_total");
        assertThat(families).noneMatch(f -> f.endsWith("_total_total"));
    }

    @Test
    void openMetricsByAcceptHeader() throws Exception {
        Scrape om = Scrape.of(port, "/metrics", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
        assertThat(om.contentType).startsWith("application/openmetrics-text");
        assertThat(om.body.trim()).endsWith("# EOF");
        assertThat(om.body).contains("# TYPE duroxide_orchestration_starts counter");
        Scrape text = Scrape.of(port, "/metrics", "text/plain");
        assertThat(text.contentType).startsWith("text/plain");
        assertThat(text.body).contains("# TYPE duroxide_orchestration_starts_total counter");
    }

    private void assertBuckets(String bucketMetric, double... expected) {
        Set<Double> les = new TreeSet<>();
        for (String le : scrape.labelValues(bucketMetric, "le")) {
            les.add(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le));
        }
        Set<Double> want = new TreeSet<>();
        for (double d : expected) {
            want.add(d);
        }
        want.add(Double.POSITIVE_INFINITY);
        assertThat(les).as(bucketMetric).isEqualTo(want);
    }
}
