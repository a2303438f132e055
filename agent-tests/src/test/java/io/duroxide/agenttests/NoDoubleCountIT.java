package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Lifecycle changes are counted once, when durably committed, across processes and restarts. */
class NoDoubleCountIT {

    /**
     * Process A runs the first turn of an instance and is frozen (SIGSTOP) inside it, stalled there until the
     * test releases it, so its instance lock expires; process B takes the instance over and completes it; A then resumes and its commit fails
     * with a lost lock. Across both processes' scrapes the start and the completion are counted once.
     */
    @Test
    void aTurnTakenOverAfterItsLockExpiredIsCountedOnce() throws Exception {
        Path db = Ports.newDb("takeover");
        String id = "takeover-1";
        Path release = db.resolveSibling("release"); // A's turn stalls until this file exists
        try (ChildJvm a = ChildJvm.builder().name("A").env("STALL_TURN", release.toString())
                        .metricsOnFreePort().env("DUROXIDE_METRICS_POLL_INTERVAL", "200ms")
                        .args("takeover", db.toString(), id).start()) {
            int portA = a.metricsPort(); // before A is frozen: its agent may not have bound yet
            a.awaitLine(l -> l.equals("IN_TURN"), Duration.ofSeconds(120));
            a.signal("STOP");
            try (ChildJvm b = ChildJvm.builder().name("B")
                    .metricsOnFreePort().env("DUROXIDE_METRICS_POLL_INTERVAL", "200ms")
                    .args("takeover", db.toString(), id).start()) {
                int portB = b.metricsPort();
                assertThat(b.awaitDone(Duration.ofSeconds(120))).isEqualTo("DONE status=COMPLETED");
                Files.createFile(release);
                a.signal("CONT");
                assertThat(a.awaitDone(Duration.ofSeconds(120))).isEqualTo("DONE status=COMPLETED");
                // A's stalled commit must have been attempted and rejected before we compare (the engine logs it)
                a.awaitLine(l -> l.contains("lock lost before the turn committed"), Duration.ofSeconds(30));
                Scrape sa = Scrape.until(portA, s -> s.sum("duroxide_provider_errors_total", "error_type", "lock_lost") >= 1,
                        Duration.ofSeconds(30));
                Scrape sb = Scrape.until(portB, s -> s.sum("duroxide_orchestration_completions_total") >= 1, Duration.ofSeconds(30));
                assertThat(sa.sum("duroxide_provider_errors_total", "error_type", "lock_lost"))
                        .as("A found its lock lost (renewal or commit)\n" + sa.body).isGreaterThanOrEqualTo(1.0);
                double starts = sa.sum("duroxide_orchestration_starts_total", "orchestration_name", "Takeover")
                        + sb.sum("duroxide_orchestration_starts_total", "orchestration_name", "Takeover");
                double completions = sa.sum("duroxide_orchestration_completions_total", "orchestration_name", "Takeover")
                        + sb.sum("duroxide_orchestration_completions_total", "orchestration_name", "Takeover");
                assertThat(starts).as("starts across both processes\nA:\n" + a.output() + "\nB:\n" + b.output() + "\nB's scrape:\n" + sb.body)
                        .isEqualTo(1.0);
                assertThat(completions).as("completions across both processes").isEqualTo(1.0);
                assertThat(sb.sum("duroxide_orchestration_starts_total", "orchestration_name", "Takeover")).isEqualTo(1.0);
                GroundTruth truth = GroundTruth.read(db);
                assertThat(truth.of("starts")).containsEntry("Takeover|1.0.0|client", 1.0);
                assertThat(b.finish(Duration.ofSeconds(30))).isZero();
            }
            assertThat(a.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    /**
     * A first runtime starts instances that wait for an event and stops; a second runtime on the same
     * database finishes them. The second process counts the completions, never the old starts, and the
     * durations run from the durable start in the first process.
     */
    @Test
    void aRestartedRuntimeDoesNotCountOldStartsAgain() throws Exception {
        Path db = Ports.newDb("restart");
        int n = 5;
        long heldAt;
        try (ChildJvm first = ChildJvm.builder().name("first").metricsOnFreePort()
                .args("hold", db.toString(), Integer.toString(n)).start()) {
            int port1 = first.metricsPort();
            first.awaitDone(Duration.ofSeconds(120));
            heldAt = System.nanoTime();
            Scrape s1 = Scrape.until(port1, s -> s.sum("duroxide_orchestration_starts_total") == n, Duration.ofSeconds(30));
            assertThat(s1.value("duroxide_orchestration_starts_total", "orchestration_name", "Waiter", "version", "1.0.0",
                    "initiated_by", "client")).isEqualTo(n);
            assertThat(s1.sum("duroxide_orchestration_completions_total")).isZero();
            assertThat(first.finish(Duration.ofSeconds(30))).isZero();
        }
        Thread.sleep(300); // a visible gap, so the durable start is measurably older than the second process
        double gapSeconds = (System.nanoTime() - heldAt) / 1e9;
        try (ChildJvm second = ChildJvm.builder().name("second").metricsOnFreePort()
                .args("release", db.toString()).start()) {
            int port2 = second.metricsPort();
            assertThat(second.awaitDone(Duration.ofSeconds(120))).isEqualTo("DONE released=" + n);
            Scrape s2 = Scrape.until(port2, s -> s.sum("duroxide_orchestration_completions_total") == n, Duration.ofSeconds(30));
            assertThat(s2.sum("duroxide_orchestration_starts_total")).as("old starts are not counted again").isZero();
            assertThat(s2.value("duroxide_orchestration_completions_total", "orchestration_name", "Waiter", "version", "1.0.0",
                    "status", "success", "final_turn_count", "1-5")).isEqualTo(n);
            assertThat(s2.value("duroxide_orchestration_duration_seconds_count", "orchestration_name", "Waiter", "version", "1.0.0",
                    "status", "success")).isEqualTo(n);
            assertThat(s2.value("duroxide_orchestration_duration_seconds_sum", "orchestration_name", "Waiter", "version", "1.0.0",
                    "status", "success")).as("durations start at the durable start time").isGreaterThan(n * gapSeconds);
            GroundTruth truth = GroundTruth.read(db);
            assertThat(KnownWorkloadIT.tuples(s2, "duroxide_orchestration_completions_total", "orchestration_name", "version",
                    "status", "final_turn_count")).isEqualTo(truth.of("completions"));
            assertThat(second.finish(Duration.ofSeconds(30))).isZero();
        }
    }
}
