package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.testing.CrashWorkload;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a workload in a child JVM, kills it with SIGKILL at seeded random moments, restarts it over the
 * same file, and checks from the database that every instance finished correctly.
 */
class KilledProcessRecoveryTest {
    private static final int INSTANCES = 40;
    private static final long SEED = 20261126L;

    @TempDir
    Path dir;

    @Test
    void everyInstanceCompletesCorrectlyAfterRepeatedKills() throws Exception {
        Path db = dir.resolve("crash.db");
        Path log = dir.resolve("activities.log");
        Random random = new Random(SEED);
        int kills = 0;
        for (int round = 0; round < 5; round++) {
            Process child = startChild(db, log, round);
            boolean exited = child.waitFor(400 + random.nextInt(1200), TimeUnit.MILLISECONDS);
            if (exited) {
                break;
            }
            child.destroyForcibly().waitFor();
            kills++;
        }
        Process last = startChild(db, log, 99);
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the final run finishes").isTrue();
        assertThat(last.exitValue()).as("final run exit code; output in " + dir).isZero();
        assertThat(kills).as("the workload was killed at least once").isPositive();

        Registry registry = CrashWorkload.registry(dir.resolve("replay.log"));
        List<String> logged = Files.readAllLines(log);
        try (SqliteProvider provider = SqliteProvider.open(db)) {
            for (int n = 0; n < INSTANCES; n++) {
                String id = CrashWorkload.instanceId(n);
                InstanceStatus status = provider.getInstance(id).orElseThrow();
                assertThat(status.status()).as(id).isEqualTo(RuntimeStatus.COMPLETED);
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

    private Process startChild(Path db, Path log, int round) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        File out = dir.resolve("child-" + round + ".log").toFile();
        return new ProcessBuilder(java, "-cp", classpath, CrashWorkload.class.getName(), db.toString(), log.toString(),
                String.valueOf(INSTANCES))
                .redirectErrorStream(true)
                .redirectOutput(out)
                .start();
    }
}
