package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.testing.CrashWorkload;
import io.duroxide.testing.WorkloadProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a workload in a child JVM, kills it with SIGKILL at seeded random points of its progress, restarts it
 * over the same file, and checks from the database that every instance finished correctly.
 */
class KilledProcessRecoveryTest {
    private static final int INSTANCES = 40;
    private static final long SEED = 20261126L;
    private static final int KILL_ROUNDS = 5;
    /**
     * Each round is killed after 1 to this many more activity executions. The workload runs 120 activities
     * (40 instances of 3, 5, 1 and 3), more than five rounds can reach, so the final run always has work left.
     */
    private static final int MAX_ACTIVITIES_PER_ROUND = 20;
    /** Generous: a child JVM starting on a loaded two-core machine can take many seconds to run its first activity. */
    private static final Duration PROGRESS_DEADLINE = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void everyInstanceCompletesCorrectlyAfterRepeatedKills() throws Exception {
        Path db = dir.resolve("crash.db");
        Path log = dir.resolve("activities.log");
        Random random = new Random(SEED);
        int kills = 0;
        for (int round = 0; round < KILL_ROUNDS; round++) {
            // Kill at a seeded amount of progress, not after a fixed time: on a loaded machine a child may not
            // have opened the database after a second, or may be through most of the workload.
            int target = activitiesRun(log) + 1 + random.nextInt(MAX_ACTIVITIES_PER_ROUND);
            WorkloadProcess child = startChild(db, log, round);
            if (!awaitActivities(child, log, target)) {
                break; // it finished everything before its kill point: the final run below then only verifies
            }
            child.kill();
            kills++;
        }
        WorkloadProcess last = startChild(db, log, KILL_ROUNDS);
        assertThat(last.awaitExit(Duration.ofMinutes(3))).as("the final run's exit code; %s", last.report()).isZero();
        assertThat(kills).as("the workload was killed at least once").isPositive();

        Registry registry = CrashWorkload.registry(dir.resolve("replay.log"));
        List<String> logged = Files.readAllLines(log);
        try (SqliteProvider provider = SqliteProvider.open(db)) {
            for (int n = 0; n < INSTANCES; n++) {
                String id = CrashWorkload.instanceId(n);
                InstanceStatus status = provider.getInstance(id).orElseThrow();
                assertThat(status.status()).as("%s: %s", id, status.failure()).isEqualTo(RuntimeStatus.COMPLETED);
                assertThat(status.output()).as(id).isEqualTo(CrashWorkload.expectedOutput(n));
                List<HistoryEvent> history = provider.readHistory(id, status.executionId());
                ReplayChecks.assertReplays(registry, status, history);
                assertEveryActivityRanAtLeastOnce(id, history, logged);
            }
            assertThat(provider.queueDepths().orchestratorReady()).isZero();
            assertThat(provider.queueDepths().activityReady()).isZero();
        }
    }

    private static void assertEveryActivityRanAtLeastOnce(String id, List<HistoryEvent> history, List<String> logged) {
        Map<String, Integer> completedByName = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ActivityScheduled a) {
                names.put(a.taskId(), a.name());
            } else if (e instanceof HistoryEvent.ActivityCompleted c) {
                completedByName.merge(names.get(c.taskId()), 1, Integer::sum);
            }
        }
        completedByName.forEach((name, count) -> assertThat(logged.stream().filter((id + "/" + name)::equals).count())
                .as("executions of %s in %s", name, id).isGreaterThanOrEqualTo(count));
    }

    /**
     * Waits until the activity log has {@code target} lines, or the child exits. A child that exited 0 after
     * finishing the whole workload returns false; one that exited any other way fails the test with its exit
     * code and output.
     */
    private static boolean awaitActivities(WorkloadProcess child, Path log, int target) throws Exception {
        long deadline = System.nanoTime() + PROGRESS_DEADLINE.toNanos();
        while (activitiesRun(log) < target) {
            if (child.process().waitFor(5, TimeUnit.MILLISECONDS)) {
                String report = child.report();
                assertThat(child.process().exitValue() == 0 && report.contains("ALL DONE"))
                        .as("the child exited before its kill point (%d activities logged); %s", target, report).isTrue();
                return false;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(target + " activities not logged within " + PROGRESS_DEADLINE + ": " + child.report());
            }
        }
        return true;
    }

    private static int activitiesRun(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    private WorkloadProcess startChild(Path db, Path log, int round) throws IOException {
        return WorkloadProcess.start(CrashWorkload.class, dir.resolve("child-" + round + ".log"), db.toString(), log.toString(),
                String.valueOf(INSTANCES));
    }
}
