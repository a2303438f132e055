package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The agent builds its metrics registry on demand: at the first scrape, or once the bridge holds 10,000 woven
 * calls. Either way, every call made before is counted at the first scrape.
 */
class RegistryOnDemandIT {
    private static final String BUILT = "registry built for the ";

    @Test
    void aScrapeBuildsTheRegistryAndCountsEverythingHeldBeforeIt() throws Exception {
        Path db = Ports.newDb("on-demand-scrape");
        try (ChildJvm child = ChildJvm.builder().name("on-demand-scrape")
                .metricsOnFreePort()
                .env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                .env("DUROXIDE_METRICS_LOG", "debug")
                .args("known", db.toString(), "6", "2").start()) {
            int port = child.metricsPort();
            child.awaitDone(Duration.ofSeconds(120));
            assertThat(child.output()).as("nothing asked for the registry yet").doesNotContain(BUILT);

            GroundTruth truth = GroundTruth.read(db);
            Scrape first = Scrape.of(port);
            assertThat(KnownWorkloadIT.tuples(first, "duroxide_orchestration_completions_total",
                    "orchestration_name", "version", "status", "final_turn_count"))
                    .as("the first scrape counts every completion held before it").isEqualTo(truth.of("completions"));
            assertThat(KnownWorkloadIT.tuples(first, "duroxide_activity_executions_total", "activity_name", "outcome", "retry_attempt"))
                    .isEqualTo(truth.of("executions"));
            assertThat(first.value("duroxide_orchestration_active_instances", "orchestration_name", "Waiter", "state", "suspended"))
                    .as("the polled gauges are in that first scrape too, not only from the next poll on").isEqualTo(1.0);
            assertThat(child.output()).contains(BUILT + "first scrape");
            assertThat(child.finish(Duration.ofSeconds(30))).as(child.output()).isZero();
        }
    }

    @Test
    void heldCallsBuildTheRegistryWithoutAScrape() throws Exception {
        Path db = Ports.newDb("on-demand-backlog");
        int activities = 4_000; // an attempt alone is an activity call, a worker call and provider calls: well over 10,000
        try (ChildJvm child = ChildJvm.builder().name("on-demand-backlog")
                .metricsOnFreePort()
                .env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                .env("DUROXIDE_METRICS_LOG", "debug")
                .args("names", db.toString(), Integer.toString(activities)).start()) {
            int port = child.metricsPort();
            child.awaitLine(l -> l.contains(BUILT + "held calls"), Duration.ofSeconds(120));
            child.awaitDone(Duration.ofSeconds(120));
            assertThat(child.output()).doesNotContain(BUILT + "first scrape");

            Scrape s = Scrape.until(port, x -> x.sum("duroxide_activity_executions_total") == activities, Duration.ofSeconds(30));
            assertThat(s.sum("duroxide_activity_executions_total")).isEqualTo(activities);
            assertThat(s.sum("duroxide_orchestration_completions_total", "status", "success")).isEqualTo(activities / 100);
            assertThat(child.finish(Duration.ofSeconds(30))).as(child.output()).isZero();
        }
    }
}
