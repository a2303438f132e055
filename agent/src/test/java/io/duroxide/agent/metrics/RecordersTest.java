package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.agent.AgentConfig;
import io.duroxide.agent.bootstrap.Bridge;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recorders driven directly, without weaving: what a scrape shows for given calls. */
class RecordersTest {
    private static Metrics metrics(String... kv) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return new Metrics(AgentConfig.from(null, env, Map.of()));
    }

    private static void turn(OrchestrationRecorder r, String name, boolean starts, String outcome, String kind, int turns,
            long exec, String parent) {
        r.turnCommitted("id-" + name, name, "1.0.0", exec, "CLIENT", starts, outcome, kind,
                kind == null ? null : List.of("java.lang.IllegalStateException"),
                "boom 42", null, turns, 12, 1_500_000_000L, parent);
    }

    @Test
    void orchestrationLifecycle() {
        Metrics m = metrics();
        OrchestrationRecorder r = new OrchestrationRecorder(m, null);
        turn(r, "Order", true, "CONTINUES", null, 1, 1, null);
        turn(r, "Order", false, "CONTINUES", null, 2, 1, null);
        turn(r, "Order", false, "COMPLETED", null, 3, 1, null);
        turn(r, "Order", true, "FAILED", "APPLICATION", 1, 1, "Parent");
        turn(r, "Loop", true, "CONTINUED_AS_NEW", null, 1, 1, null);
        turn(r, "Loop", true, "CONTINUED_AS_NEW", null, 1, 7, null);
        String text = m.scrape("text/plain");
        assertThat(text)
                .contains("duroxide_orchestration_starts_total{initiated_by=\"client\",orchestration_name=\"Order\",version=\"1.0.0\"} 2.0")
                .contains("duroxide_orchestration_completions_total{final_turn_count=\"1-5\",orchestration_name=\"Order\",status=\"success\",version=\"1.0.0\"} 1.0")
                .contains("duroxide_orchestration_failures_total{error_category=\"logic\",error_type=\"app_error\",orchestration_name=\"Order\",version=\"1.0.0\"} 1.0")
                .contains("duroxide_orchestration_duration_seconds_bucket{orchestration_name=\"Order\",status=\"success\",version=\"1.0.0\",le=\"2.0\"} 1")
                .contains("duroxide_orchestration_duration_seconds_bucket{orchestration_name=\"Order\",status=\"success\",version=\"1.0.0\",le=\"1.0\"} 0")
                .contains("duroxide_orchestration_continue_as_new_total{execution_id=\"1\",orchestration_name=\"Loop\"} 1.0")
                .contains("duroxide_orchestration_continue_as_new_total{execution_id=\"2-10\",orchestration_name=\"Loop\"} 1.0")
                .contains("duroxide_suborchestration_calls_total{child_orchestration=\"Order\",outcome=\"failed\",parent_orchestration=\"Parent\"} 1.0")
                .contains("duroxide_orchestration_history_size_count{orchestration_name=\"Order\"} 2")
                .contains("duroxide_orchestration_history_size_count{orchestration_name=\"Loop\"} 2")
                .doesNotContain("le=\"0.001\"", "le=\"0.002\"");
        // exactly the spec's buckets plus +Inf
        long buckets = text.lines().filter(l -> l.startsWith("duroxide_orchestration_duration_seconds_bucket{orchestration_name=\"Order\",status=\"success\"")).count();
        assertThat(buckets).isEqualTo(13);
    }

    @Test
    void activityOutcomesAndErrors() {
        Metrics m = metrics();
        ActivityRecorder r = new ActivityRecorder(m);
        r.attempt("i-1", 1, "Charge", 0, "APPLICATION_ERROR", true, "APPLICATION", "x.E", "DECLINED", true, "m", 1_000_000);
        r.attempt("i-1", 1, "Charge", 1, "APPLICATION_ERROR", true, "APPLICATION", "x.E", "DECLINED", true, "m", 1_000_000);
        r.attempt("i-1", 1, "Charge", 2, null, false, null, null, null, false, null, 20_000_000);
        r.attempt("i-1", 1, "Charge", 5, "TIMEOUT", false, "TIMEOUT", "t", null, true, "m", 2_000_000_000L);
        r.attempt("i-1", 1, "Ship", 0, "CANCELLED", false, "CANCELLED", null, null, false, null, 1);
        String text = m.scrape("text/plain");
        assertThat(text)
                .contains("duroxide_activity_executions_total{activity_name=\"Charge\",outcome=\"retry\",retry_attempt=\"0\"} 1.0")
                .contains("duroxide_activity_executions_total{activity_name=\"Charge\",outcome=\"retry\",retry_attempt=\"1\"} 1.0")
                .contains("duroxide_activity_executions_total{activity_name=\"Charge\",outcome=\"success\",retry_attempt=\"2\"} 1.0")
                .contains("duroxide_activity_executions_total{activity_name=\"Charge\",outcome=\"timeout\",retry_attempt=\"3+\"} 1.0")
                .contains("duroxide_activity_executions_total{activity_name=\"Ship\",outcome=\"cancelled\",retry_attempt=\"0\"} 1.0")
                .contains("duroxide_activity_errors_total{activity_name=\"Charge\",error_code=\"DECLINED\",error_type=\"app_error\",retryable=\"true\"} 2.0")
                .contains("duroxide_activity_errors_total{activity_name=\"Charge\",error_code=\"none\",error_type=\"timeout\",retryable=\"true\"} 1.0")
                .contains("duroxide_activity_duration_seconds_bucket{activity_name=\"Charge\",outcome=\"success\",le=\"0.05\"} 1")
                .doesNotContain("activity_name=\"Ship\",error_code");
    }

    @Test
    void labelCapCollapsesOverflowIntoOther() {
        Metrics m = metrics("DUROXIDE_METRICS_MAX_LABEL_VALUES", "100");
        ActivityRecorder r = new ActivityRecorder(m);
        for (int i = 0; i < 10_000; i++) {
            r.attempt("i-1", 1, "act-" + i, 0, null, false, null, null, null, false, null, 1000);
        }
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.labelValues("duroxide_activity_executions_total", "activity_name")).hasSize(101).contains("other");
        assertThat(s.sum("duroxide_activity_executions_total")).isEqualTo(10_000);
    }

    @Test
    void samplingKeepsCountersExactAndFailuresComplete() {
        Metrics m = metrics("DUROXIDE_METRICS_SAMPLE_RATE", "0.1");
        ActivityRecorder r = new ActivityRecorder(m);
        for (int i = 0; i < 10_000; i++) {
            r.attempt("i-1", 1, "A", 0, null, false, null, null, null, false, null, 1000);
        }
        for (int i = 0; i < 100; i++) {
            r.attempt("i-1", 1, "A", 0, "APPLICATION_ERROR", false, "APPLICATION", "E", null, false, "m", 1000);
        }
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.sum("duroxide_activity_executions_total", "outcome", "success")).isEqualTo(10_000);
        assertThat(s.sum("duroxide_activity_duration_seconds_count", "outcome", "success")).isBetween(700.0, 1300.0);
        assertThat(s.sum("duroxide_activity_duration_seconds_count", "outcome", "app_error")).isEqualTo(100);
    }

    @Test
    void providerOperationsAndErrors() {
        Metrics m = metrics();
        ProviderRecorder r = new ProviderRecorder(m);
        r.operation("fetchActivity", 1_000_000, null);
        r.operation("commitTurn", 3_000_000, new io.duroxide.provider.LockLostException("commitTurn", "lost"));
        r.operation("commitTurn", 3_000_000, new RuntimeException(new java.sql.SQLException("busy", "57014")));
        String text = m.scrape("text/plain");
        assertThat(text)
                .contains("duroxide_provider_operations_total{operation=\"fetch\",status=\"success\"} 1.0")
                .contains("duroxide_provider_operation_duration_seconds_count{operation=\"ack\",status=\"error\"} 2")
                .contains("duroxide_provider_errors_total{error_type=\"lock_lost\",operation=\"ack\"} 1.0")
                .contains("duroxide_provider_errors_total{error_type=\"timeout\",operation=\"ack\"} 1.0");
    }

    /** Provider calls as woven code makes them: through the bridge, which asks the recorder whether to measure a success. */
    private static void providerCalls(ProviderRecorder r, String method, int calls, Throwable error) {
        Bridge.provider = r;
        try {
            for (int i = 0; i < calls; i++) {
                Bridge.providerExit(Bridge.providerEnter(), method, error);
            }
        } finally {
            Bridge.provider = null;
        }
    }

    @Test
    void providerOperationCounterStaysExactWhenDurationsAreSampled() {
        Metrics m = metrics("DUROXIDE_METRICS_SAMPLE_RATE", "0.1");
        ProviderRecorder r = new ProviderRecorder(m);
        providerCalls(r, "renewActivityLock", 10_000, null);
        providerCalls(r, "renewActivityLock", 100, new RuntimeException("x"));
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.value("duroxide_provider_operations_total", "operation", "renew_lock", "status", "success")).isEqualTo(10_000);
        assertThat(s.value("duroxide_provider_operations_total", "operation", "renew_lock", "status", "error")).isEqualTo(100);
        assertThat(s.value("duroxide_provider_operation_duration_seconds_count", "operation", "renew_lock", "status", "success"))
                .isBetween(700.0, 1300.0);
        assertThat(s.value("duroxide_provider_operation_duration_seconds_count", "operation", "renew_lock", "status", "error"))
                .isEqualTo(100);
    }

    @Test
    void providerMethodsOfOneOperationShareItsCounter() {
        Metrics m = metrics();
        ProviderRecorder r = new ProviderRecorder(m);
        r.operation("fetchActivity", 1000, null);
        r.operation("fetchOrchestrationItem", 1000, null);
        r.operation("fetchOrchestrationItem", 1000, null);
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.value("duroxide_provider_operations_total", "operation", "fetch", "status", "success")).isEqualTo(3);
        assertThat(s.value("duroxide_provider_operation_duration_seconds_count", "operation", "fetch", "status", "success")).isEqualTo(3);
    }

    @Test
    void providerOperationCounterExistsBeforeAnyDurationIsSampled() {
        Metrics m = metrics("DUROXIDE_METRICS_SAMPLE_RATE", "0");
        providerCalls(new ProviderRecorder(m), "fetchActivity", 1, null);
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.value("duroxide_provider_operations_total", "operation", "fetch", "status", "success")).isEqualTo(1);
        assertThat(s.has("duroxide_provider_operation_duration_seconds_count", "operation", "fetch")).isFalse();
    }

    @Test
    void errorMessagesAreAnOptInLabelOnEverySeriesOfTheMetric() {
        Metrics m = metrics("DUROXIDE_METRICS_INCLUDE_ERROR_MESSAGES", "true");
        ActivityRecorder r = new ActivityRecorder(m);
        r.attempt("i-1", 1, "A", 0, "APPLICATION_ERROR", false, "APPLICATION", "E", null, false, "order 17 not found", 1000);
        r.attempt("i-1", 1, "A", 0, "APPLICATION_ERROR", false, "APPLICATION", "E", null, false, null, 1000);
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.labelValues("duroxide_activity_errors_total", "error_message")).containsExactlyInAnyOrder("order <n> not found", "none");
    }

    @Test
    void workersRegisterGauges() {
        Metrics m = metrics();
        long[] clock = {0};
        WorkerRecorder w = new WorkerRecorder(m, () -> clock[0]);
        Object loop = new Object();
        w.started(loop, "activity", "work-1", 4, null);
        w.processed(loop, "activity", "work-1", 4, 500_000_000L);
        w.processed(loop, "activity", "work-1", 4, 500_000_000L);
        w.poll();
        clock[0] += 1_000_000_000L;
        w.poll();
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.value("duroxide_worker_count", "worker_type", "activity", "worker_id", "work-1")).isEqualTo(4.0);
        assertThat(s.value("duroxide_worker_active_time_seconds", "worker_type", "activity", "worker_id", "work-1")).isEqualTo(1.0);
        assertThat(s.value("duroxide_worker_items_processed_total", "worker_type", "activity", "worker_id", "work-1")).isEqualTo(2.0);
        assertThat(s.value("duroxide_worker_processing_rate", "worker_type", "activity", "worker_id", "work-1")).isZero();
        assertThat(s.has("duroxide_worker_queue_depth", "worker_id", "work-1")).isTrue();
        w.stopped(loop, "activity", "work-1");
        Scrape after = Scrape.parse(m.scrape("text/plain"));
        assertThat(after.series("duroxide_worker_count")).isEmpty();
        assertThat(after.series("duroxide_worker_processing_rate")).isEmpty();
    }

    /**
     * The registry is built at the first scrape and the calls held until then are replayed in milliseconds: the
     * first poll must not divide all of them by the few milliseconds since the replay created the worker.
     */
    @Test
    void theProcessingRateIsAbsentUntilAPollIntervalWasMeasured() {
        Metrics m = metrics();
        long[] clock = {0};
        WorkerRecorder w = new WorkerRecorder(m, () -> clock[0]);
        Object loop = new Object();
        w.started(loop, "orchestration", "orch-1", 2, null);
        for (int i = 0; i < 4_000; i++) { // the replayed calls of the time before the registry existed
            w.processed(loop, "orchestration", "orch-1", 2, 1_000_000L);
        }
        clock[0] += 5_000_000L;
        w.poll();
        Scrape first = Scrape.parse(m.scrape("text/plain"));
        assertThat(first.series("duroxide_worker_processing_rate")).as("no interval measured yet").isEmpty();
        assertThat(first.value("duroxide_worker_items_processed_total", "worker_type", "orchestration", "worker_id", "orch-1"))
                .isEqualTo(4_000.0);

        for (int i = 0; i < 250; i++) {
            w.processed(loop, "orchestration", "orch-1", 2, 1_000_000L);
        }
        clock[0] += 5_000_000_000L;
        w.poll();
        assertThat(Scrape.parse(m.scrape("text/plain")).value("duroxide_worker_processing_rate",
                "worker_type", "orchestration", "worker_id", "orch-1")).as("250 items in 5 s").isEqualTo(50.0);

        clock[0] += 5_000_000_000L;
        w.poll();
        assertThat(Scrape.parse(m.scrape("text/plain")).value("duroxide_worker_processing_rate",
                "worker_type", "orchestration", "worker_id", "orch-1")).as("nothing in the last 5 s").isZero();
    }

    /** A worker that appears between two polls has its own first poll: its first rate is over a whole interval too. */
    @Test
    void aWorkerSeenAfterAPollHasNoRateUntilItsOwnSecondPoll() {
        Metrics m = metrics();
        long[] clock = {0};
        WorkerRecorder w = new WorkerRecorder(m, () -> clock[0]);
        w.poll();
        clock[0] += 4_999_000_000L;
        Object loop = new Object();
        w.started(loop, "activity", "work-2", 4, null);
        w.processed(loop, "activity", "work-2", 4, 1_000_000L);
        clock[0] += 1_000_000L;
        w.poll();
        assertThat(Scrape.parse(m.scrape("text/plain")).series("duroxide_worker_processing_rate")).isEmpty();
        w.processed(loop, "activity", "work-2", 4, 1_000_000L);
        w.processed(loop, "activity", "work-2", 4, 1_000_000L);
        clock[0] += 2_000_000_000L;
        w.poll();
        assertThat(Scrape.parse(m.scrape("text/plain")).value("duroxide_worker_processing_rate",
                "worker_type", "activity", "worker_id", "work-2")).isEqualTo(1.0);
    }

    @Test
    void labelLimiter() {
        LabelLimiter l = new LabelLimiter("k", 2);
        assertThat(l.apply("a")).isEqualTo("a");
        assertThat(l.apply(null)).isEqualTo("none");
        assertThat(l.apply("b")).isEqualTo("other");
        assertThat(l.apply("a")).isEqualTo("a");
        assertThat(l.size()).isEqualTo(2);
    }
}
