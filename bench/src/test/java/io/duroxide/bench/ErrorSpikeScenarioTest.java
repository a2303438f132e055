package io.duroxide.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ErrorSpikeScenarioTest {

    @Test
    @Timeout(60)
    void errorSpikeGroundTruthIsConsistent(@TempDir Path dir) throws Exception {
        LoadGenerator.LoadOptions options = LoadGenerator.LoadOptions.parse(new String[] {
                "--scenario", "error-spike", "--duration", "2", "--db", dir.resolve("spike.db").toString()});
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        LoadGenerator.GroundTruth truth = LoadGenerator.run(options, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertThat(options.scenario()).isEqualTo(Scenario.ERROR_SPIKE);
        assertThat(options.failureRate()).isEqualTo(0.5);
        // 20 starts/s for 2 s
        assertThat(truth.orchestrations().get(Scenario.PROCESS).values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(40);
        // every started instance is terminal, and each is either completed or failed
        assertThat(truth.nonTerminal()).isZero();
        assertThat(truth.orchestrations("completed") + truth.orchestrations("failed")).isEqualTo(truth.instances());
        // half the attempts fail: failures happen, and are retried (attempt index > 0 in history)
        assertThat(truth.activityFailures()).isPositive();
        assertThat(truth.retriedAttempts()).isPositive();
        assertThat(truth.activityAttempts()).isGreaterThan(truth.activityFailures());
        // every retry follows a failed attempt; failed attempts that were not retried end their orchestration
        assertThat(truth.retriedAttempts()).isLessThanOrEqualTo(truth.activityFailures());
        assertThat(truth.activityFailures() - truth.retriedAttempts()).isGreaterThanOrEqualTo(truth.orchestrations("failed"));
        // with a 50% failure rate, about half the attempts fail
        double failedShare = (double) truth.activityFailures() / truth.activityAttempts();
        assertThat(failedShare).isBetween(0.3, 0.7);
        assertThat(output).contains("ground truth from the database:", "activity bench::Reserve attempts=");
    }
}
