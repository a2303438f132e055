package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Orchestration;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.history.HistoryEvent;
import io.duroxide.json.JsonConverter;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three runtimes, each in its own child JVM, share one SQLite file and run a mixed workload (chains,
 * fan-out, timers, sub-orchestrations) to completion. Checks from the database and from the children's
 * shared log that every instance completed correctly with a replayable history, that the work was
 * really shared, that no instance was processed by two runtimes at once, and that a busy database
 * never surfaced as a failure.
 */
class MultiProcessContentionTest {
    private static final int CHILDREN = 3;
    private static final int INSTANCES = 80;

    @TempDir
    Path dir;

    @Test
    void threeProcessesShareOneFileAndProcessEveryInstanceExclusively() throws Exception {
        Path db = dir.resolve("contention.db");
        Path log = dir.resolve("work.log");
        // Create the schema before the children race to open the file.
        SqliteProvider.open(db).close();

        List<Process> children = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        try {
            for (int c = 0; c < CHILDREN; c++) {
                Path out = dir.resolve("child-" + c + ".log");
                outputs.add(out);
                children.add(startChild(db, log, dir.resolve("ready-" + c), "contender-" + c, out));
            }
            awaitReady(children);

            // Every runtime is polling: start the whole workload at once from this (fourth) process.
            try (SqliteProvider provider = SqliteProvider.open(db)) {
                DuroxideClient client = new DuroxideClient(provider);
                for (int n = 0; n < INSTANCES; n++) {
                    client.startOrchestration(ContentionWorkload.kind(n), n,
                            StartOptions.withInstanceId(ContentionWorkload.instanceId(n)));
                }
            }

            for (int c = 0; c < CHILDREN; c++) {
                Process child = children.get(c);
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child %d finishes; output in %s", c, outputs.get(c)).isTrue();
                assertThat(child.exitValue()).as("child %d exit code: %s", c, Files.readString(outputs.get(c))).isZero();
            }
        } finally {
            for (Process child : children) {
                child.destroyForcibly();
            }
        }

        for (Path out : outputs) {
            String text = Files.readString(out);
            System.out.println("---- " + out.getFileName() + "\n" + text);
            // Busy retries inside the provider log at DEBUG, so nothing about a busy database may show up:
            // a message here means a busy error escaped the provider's retries.
            assertThat(text).as(out.toString()).contains("ALL DONE")
                    .doesNotContain("SQLITE_BUSY").doesNotContain("SQLITE_LOCKED")
                    .doesNotContain("database is locked").doesNotContain("stayed busy");
        }

        List<LogLine> lines = Files.readAllLines(log).stream().map(LogLine::parse).toList();
        assertActivitiesRanExactlyOnce(lines);
        assertTurnsNeverOverlap(lines);
        Set<Long> activityPids = new HashSet<>();
        lines.stream().filter(l -> l.type.equals("ACT")).forEach(l -> activityPids.add(l.pid));
        assertThat(activityPids).as("processes that executed activities").hasSizeGreaterThanOrEqualTo(2);
        Map<Long, Long> perPid = new java.util.TreeMap<>();
        lines.forEach(l -> perPid.merge(l.pid, 1L, Long::sum));
        System.out.println("log lines (activities and turns) per process: " + perPid);

        Registry registry = ContentionWorkload.registry(dir.resolve("replay.log"));
        try (SqliteProvider provider = SqliteProvider.open(db)) {
            for (int n = 0; n < INSTANCES; n++) {
                String id = ContentionWorkload.instanceId(n);
                InstanceStatus status = provider.getInstance(id).orElseThrow();
                assertThat(status.status()).as(id).isEqualTo(RuntimeStatus.COMPLETED);
                assertThat(status.output()).as(id).isEqualTo(ContentionWorkload.expectedOutput(n));
                assertReplays(registry, status, provider.readHistory(id, status.executionId()));
            }
            List<InstanceStatus> all = provider.listInstances(InstanceQuery.all());
            // The top-level instances plus one sub-orchestration per Parent.
            assertThat(all).hasSize(INSTANCES + INSTANCES / ContentionWorkload.KINDS.length);
            for (InstanceStatus status : all) {
                assertThat(status.status()).as(status.instanceId()).isEqualTo(RuntimeStatus.COMPLETED);
                assertReplays(registry, status, provider.readHistory(status.instanceId(), status.executionId()));
            }
            assertThat(provider.queueDepths().orchestratorReady()).isZero();
            assertThat(provider.queueDepths().activityReady()).isZero();
        }
    }

    private record LogLine(String type, long pid, String instance, String name, String input, long start, long end) {
        static LogLine parse(String line) {
            String[] f = line.split(" ");
            return new LogLine(f[0], Long.parseLong(f[1]), f[2], f[3], f[4], Long.parseLong(f[5]), Long.parseLong(f[6]));
        }
    }

    /**
     * No lock expired in this run (30 s locks, renewed), so an activity that ran twice was handed to two
     * workers at once. Each (instance, activity, input) is unique in the workload.
     */
    private static void assertActivitiesRanExactlyOnce(List<LogLine> lines) {
        Map<String, List<LogLine>> byKey = new HashMap<>();
        lines.stream().filter(l -> l.type.equals("ACT"))
                .forEach(l -> byKey.computeIfAbsent(l.instance + "/" + l.name + "/" + l.input, k -> new ArrayList<>()).add(l));
        // 3 per Chain, 4 per FanOut, 1 per Sleepy, 3 + 1 per Parent
        int perRound = 3 + 4 + 1 + 4;
        assertThat(byKey).hasSize(INSTANCES / ContentionWorkload.KINDS.length * perRound);
        byKey.forEach((key, runs) -> assertThat(runs).as("executions of " + key).hasSize(1));
    }

    /** Turns of one instance, in whatever processes they ran, never overlap in time. */
    private static void assertTurnsNeverOverlap(List<LogLine> lines) {
        Map<String, List<LogLine>> byInstance = new HashMap<>();
        lines.stream().filter(l -> l.type.equals("TURN"))
                .forEach(l -> byInstance.computeIfAbsent(l.instance, k -> new ArrayList<>()).add(l));
        assertThat(byInstance).hasSize(INSTANCES + INSTANCES / ContentionWorkload.KINDS.length);
        byInstance.forEach((instance, turns) -> {
            List<LogLine> sorted = new ArrayList<>(turns);
            sorted.sort((a, b) -> Long.compare(a.start, b.start));
            for (int i = 1; i < sorted.size(); i++) {
                LogLine prev = sorted.get(i - 1);
                LogLine cur = sorted.get(i);
                assertThat(cur.start).as("turn of %s in pid %d starts after the turn in pid %d ended", instance, cur.pid, prev.pid)
                        .isGreaterThan(prev.end);
            }
        });
    }

    /** The stored history re-executes to the same result with no nondeterminism. */
    private static void assertReplays(Registry registry, InstanceStatus status, List<HistoryEvent> history) {
        var registered = registry.orchestration(status.name(), status.version()).orElseThrow();
        List<HistoryEvent> withoutEnd = history.subList(0, history.size() - 1);
        ReplayResult result = ReplayEngine.run((Orchestration<?, ?>) registered.function(), registered.inputType(), status.instanceId(),
                status.version(), status.executionId(), withoutEnd, withoutEnd.size(), System.currentTimeMillis(), JsonConverter.DEFAULT);
        assertThat(result.kind()).as(status.instanceId() + " replays").isEqualTo(ReplayResult.Kind.COMPLETED);
        assertThat(result.output()).as(status.instanceId()).isEqualTo(status.output());
    }

    /** Waits, with a deadline, until every child has started its runtime or one of them has died. */
    private void awaitReady(List<Process> children) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int c = 0; c < children.size(); c++) {
            Path ready = dir.resolve("ready-" + c);
            while (!Files.exists(ready)) {
                Process child = children.get(c);
                assertThat(child.isAlive()).as("child %d is alive; output in %s", c, dir).isTrue();
                assertThat(System.nanoTime()).as("child %d became ready in time", c).isLessThan(deadline);
                child.waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
    }

    private Process startChild(Path db, Path log, Path ready, String name, Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-cp", classpath, ContentionWorkload.class.getName(), db.toString(), log.toString(),
                ready.toString(), String.valueOf(INSTANCES), name)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
    }
}
