package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** 10,000 distinct activity names with MAX_LABEL_VALUES=100: at most 101 activity_name values, counts exact. */
class CardinalityIT {
    @Test
    void activityNamesAreCappedAndOverflowBecomesOther() throws Exception {
        Path db = Ports.newDb("names");
        int names = 10_000;
        try (ChildJvm child = ChildJvm.builder().name("names")
                .metricsOnFreePort()
                .env("DUROXIDE_METRICS_MAX_LABEL_VALUES", "100")
                .args("names", db.toString(), Integer.toString(names)).start()) {
            int port = child.metricsPort();
            child.awaitDone(Duration.ofSeconds(240));
            Scrape s = Scrape.until(port, x -> x.sum("duroxide_activity_executions_total") == names, Duration.ofSeconds(30));
            Set<String> values = s.labelValues("duroxide_activity_executions_total", "activity_name");
            assertThat(values).hasSizeLessThanOrEqualTo(101).contains("other");
            assertThat(s.labelValues("duroxide_activity_duration_seconds_count", "activity_name")).hasSizeLessThanOrEqualTo(101);
            assertThat(s.sum("duroxide_activity_executions_total")).as("no attempt lost to the cap").isEqualTo(names);
            assertThat(s.sum("duroxide_activity_executions_total", "activity_name", "other")).isEqualTo(names - 100);
            assertThat(child.output()).containsOnlyOnce("label activity_name reached its cap of 100");
            assertThat(child.finish(Duration.ofSeconds(60))).isZero();
        }
    }
}
