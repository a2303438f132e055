package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.agent.AgentConfig;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recorders' exemplars as an OpenMetrics scrape shows them, and their absence from the text format. */
class ExemplarsTest {
    private static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final MockClock clock = new MockClock();

    private Metrics metrics(String... kv) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return new Metrics(AgentConfig.from(null, env, Map.of()),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock));
    }

    private static void end(OrchestrationRecorder r, String instanceId, long exec, String outcome, long nanos) {
        r.turnCommitted(instanceId, "Order", "1.0.0", exec, "CLIENT", false, outcome, outcome.equals("FAILED") ? "APPLICATION" : null,
                List.of("java.lang.IllegalStateException"), "boom", null, 3, 12, nanos, null);
    }

    /** The exemplar written after the sample line that starts with {@code sample}, or null. */
    private static String exemplarOf(String scrape, String sample) {
        String line = scrape.lines().filter(l -> l.startsWith(sample)).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample + " in\n" + scrape));
        return line.contains(" # ") ? line.substring(line.indexOf(" # ") + 3) : null;
    }

    private String seconds(long wallMillis) {
        return String.format(java.util.Locale.ROOT, "%d.%03d", wallMillis / 1000, wallMillis % 1000);
    }

    @Test
    void orchestrationDurationBucketsAndFailuresCarryTheInstanceOfAnObservation() {
        Metrics m = metrics();
        OrchestrationRecorder r = new OrchestrationRecorder(m, null);
        end(r, "order-7", 2, "COMPLETED", 1_500_000_000L);
        end(r, "order-8", 1, "COMPLETED", 40_000_000L);
        end(r, "order-9", 1, "FAILED", 7_000_000_000L);
        String now = seconds(clock.wallTime());
        String om = m.scrape(OPEN_METRICS);
        String series = "duroxide_orchestration_duration_seconds_bucket{orchestration_name=\"Order\",status=\"success\",version=\"1.0.0\",";
        assertThat(exemplarOf(om, series + "le=\"2.0\"}")).isEqualTo("{execution_id=\"2\",instance_id=\"order-7\"} 1.5 " + now);
        assertThat(exemplarOf(om, series + "le=\"0.1\"}")).isEqualTo("{execution_id=\"1\",instance_id=\"order-8\"} 0.04 " + now);
        assertThat(exemplarOf(om, series + "le=\"1.0\"}")).as("a bucket without an observation of its own").isNull();
        assertThat(exemplarOf(om, "duroxide_orchestration_duration_seconds_bucket{orchestration_name=\"Order\",status=\"failed\","
                + "version=\"1.0.0\",le=\"10.0\"}")).isEqualTo("{execution_id=\"1\",instance_id=\"order-9\"} 7.0 " + now);
        assertThat(exemplarOf(om, "duroxide_orchestration_failures_total{error_category=\"logic\",error_type=\"app_error\","
                + "orchestration_name=\"Order\",version=\"1.0.0\"}")).isEqualTo("{execution_id=\"1\",instance_id=\"order-9\"} 1.0 " + now);
        assertThat(exemplarOf(om, "duroxide_orchestration_completions_total{")).as("only the documented series").isNull();

        String text = m.scrape("text/plain");
        assertThat(text).doesNotContain("instance_id", " # {");
        assertThat(text).contains(series + "le=\"2.0\"} 2\n");
    }

    @Test
    void activityDurationBucketsAndErrorsCarryTheAttempt() {
        Metrics m = metrics();
        ActivityRecorder r = new ActivityRecorder(m);
        r.attempt("order-7", 1, "Charge", 2, "APPLICATION_ERROR", false, "APPLICATION", "x.E", "DECLINED", false, "m", 30_000_000L);
        r.attempt("order-8", 3, "Charge", 0, null, false, null, null, null, false, null, 3_000_000L);
        String now = seconds(clock.wallTime());
        String om = m.scrape(OPEN_METRICS);
        assertThat(exemplarOf(om, "duroxide_activity_duration_seconds_bucket{activity_name=\"Charge\",outcome=\"app_error\",le=\"0.05\"}"))
                .isEqualTo("{attempt=\"2\",execution_id=\"1\",instance_id=\"order-7\"} 0.03 " + now);
        assertThat(exemplarOf(om, "duroxide_activity_duration_seconds_bucket{activity_name=\"Charge\",outcome=\"success\",le=\"0.01\"}"))
                .isEqualTo("{attempt=\"0\",execution_id=\"3\",instance_id=\"order-8\"} 0.003 " + now);
        assertThat(exemplarOf(om, "duroxide_activity_errors_total{activity_name=\"Charge\",error_code=\"DECLINED\","
                + "error_type=\"app_error\",retryable=\"false\"}")).isEqualTo("{attempt=\"2\",execution_id=\"1\",instance_id=\"order-7\"} 1.0 " + now);
    }

    @Test
    void aBucketKeepsItsObservationForASecondThenTakesTheNextOne() {
        Metrics m = metrics();
        OrchestrationRecorder r = new OrchestrationRecorder(m, null);
        String bucket = "duroxide_orchestration_duration_seconds_bucket{orchestration_name=\"Order\",status=\"success\","
                + "version=\"1.0.0\",le=\"2.0\"}";
        end(r, "first", 1, "COMPLETED", 1_500_000_000L);
        clock.add(Duration.ofMillis(ExemplarSlots.REPLACE_AFTER_MILLIS - 1));
        end(r, "too-soon", 1, "COMPLETED", 1_600_000_000L);
        assertThat(exemplarOf(m.scrape(OPEN_METRICS), bucket)).startsWith("{execution_id=\"1\",instance_id=\"first\"} 1.5 ");
        clock.add(Duration.ofMillis(1));
        end(r, "next", 1, "COMPLETED", 1_700_000_000L);
        assertThat(exemplarOf(m.scrape(OPEN_METRICS), bucket)).isEqualTo("{execution_id=\"1\",instance_id=\"next\"} 1.7 "
                + seconds(clock.wallTime()));
    }

    @Test
    void anInstanceIdBeyondTheOpenMetricsLabelLimitIsNotShown() {
        Metrics m = metrics();
        OrchestrationRecorder r = new OrchestrationRecorder(m, null);
        end(r, "x".repeat(ExemplarSlots.MAX_INSTANCE_ID_LENGTH + 1), 1, "COMPLETED", 1_500_000_000L);
        end(r, "y".repeat(ExemplarSlots.MAX_INSTANCE_ID_LENGTH), 1, "COMPLETED", 40_000_000L);
        String om = m.scrape(OPEN_METRICS);
        String series = "duroxide_orchestration_duration_seconds_bucket{orchestration_name=\"Order\",status=\"success\",version=\"1.0.0\",";
        assertThat(exemplarOf(om, series + "le=\"2.0\"}")).isNull();
        String longest = exemplarOf(om, series + "le=\"0.1\"}");
        assertThat(longest).contains("y".repeat(ExemplarSlots.MAX_INSTANCE_ID_LENGTH));
        // the limit of 128 characters holds with the longest execution id and attempt too
        assertThat(ExemplarSlots.MAX_INSTANCE_ID_LENGTH + "instance_idexecution_idattempt".length()
                + Long.toString(Long.MAX_VALUE).length() + Integer.toString(Integer.MAX_VALUE).length()).isEqualTo(128);
    }

    @Test
    void switchedOffTheOpenMetricsScrapeHasNoExemplars() {
        Metrics m = metrics("DUROXIDE_METRICS_EXEMPLARS", "false");
        end(new OrchestrationRecorder(m, null), "order-9", 1, "FAILED", 7_000_000_000L);
        new ActivityRecorder(m).attempt("order-9", 1, "Charge", 0, "APPLICATION_ERROR", false, "APPLICATION", "x.E", null, false, "m", 1);
        String om = m.scrape(OPEN_METRICS);
        assertThat(om).contains("duroxide_orchestration_failures_total{").doesNotContain(" # {", "instance_id");
    }
}
