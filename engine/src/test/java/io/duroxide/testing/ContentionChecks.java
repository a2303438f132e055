package io.duroxide.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.provider.Provider;
import io.duroxide.runtime.ProviderClient;
import io.duroxide.runtime.ReplayChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ContentionWorkload} in child JVMs and checks the outcome against the store and the
 * children's shared work log. Shared by the multi-process tests of every provider, so that each
 * provider is held to the same ground truth.
 */
public final class ContentionChecks {
    private ContentionChecks() {}

    /** One line of the work log: {@code TYPE pid instance name input startNanos endNanos}. */
    public record LogLine(String type, long pid, String instance, String name, String input, long start, long end) {
        static LogLine parse(String line) {
            String[] f = line.split(" ");
            return new LogLine(f[0], Long.parseLong(f[1]), f[2], f[3], f[4], Long.parseLong(f[5]), Long.parseLong(f[6]));
        }
    }

    public static List<LogLine> readLog(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(LogLine::parse).toList();
    }

    /**
     * Starts a child JVM running {@code mainClass} (a main that ends in {@link ContentionWorkload#run})
     * with {@code args}, on this JVM's test class path, its output going to {@code out}.
     */
    public static WorkloadProcess startChild(Class<?> mainClass, Path out, String... args) throws IOException {
        return WorkloadProcess.start(mainClass, out, args);
    }

    /**
     * Waits, with a deadline, until every child has written its ready file, failing with the child's exit code
     * and output if one dies first. Generous: three JVMs starting together on a loaded two-core machine.
     */
    public static void awaitReady(List<WorkloadProcess> children, List<Path> readyFiles) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        for (int c = 0; c < children.size(); c++) {
            WorkloadProcess child = children.get(c);
            while (!Files.exists(readyFiles.get(c))) {
                if (!child.process().isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("child " + c + " did not become ready within 2 minutes: " + child.report());
                }
                child.process().waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Starts the whole workload from the calling process. */
    public static void startWorkload(Provider provider, int instances) {
        DuroxideClient client = new ProviderClient(provider);
        for (int n = 0; n < instances; n++) {
            client.startOrchestration(ContentionWorkload.kind(n), n, StartOptions.withInstanceId(ContentionWorkload.instanceId(n)));
        }
    }

    /**
     * Every activity of the workload ran, and (when {@code exactlyOnce}) no more than once. Each
     * (instance, activity, input) is unique in the workload. Exactly once holds when no lock expired
     * during the run; after a process is killed its unfinished activities legitimately run again.
     */
    public static void assertActivitiesRan(List<LogLine> lines, int instances, boolean exactlyOnce) {
        Map<String, List<LogLine>> byKey = new HashMap<>();
        lines.stream().filter(l -> l.type().equals("ACT"))
                .forEach(l -> byKey.computeIfAbsent(l.instance() + "/" + l.name() + "/" + l.input(), k -> new ArrayList<>()).add(l));
        assertThat(byKey).hasSize(instances / ContentionWorkload.KINDS.length * ContentionWorkload.ACTIVITIES_PER_ROUND);
        if (exactlyOnce) {
            byKey.forEach((key, runs) -> assertThat(runs).as("executions of " + key).hasSize(1));
        }
    }

    /**
     * Committed turns of one instance, in whatever processes they ran, never held its lock at overlapping times:
     * each TURN line spans from the fetch that locked the instance to the commit ({@link CommittedTurnLog}).
     * Turns that lost their lock to a stall and were redone are not logged; they may overlap legitimately.
     */
    public static void assertCommittedTurnsNeverOverlap(List<LogLine> lines, int instances) {
        Map<String, List<LogLine>> byInstance = new HashMap<>();
        lines.stream().filter(l -> l.type().equals("TURN"))
                .forEach(l -> byInstance.computeIfAbsent(l.instance(), k -> new ArrayList<>()).add(l));
        assertThat(byInstance).hasSize(instances + ContentionWorkload.subOrchestrations(instances));
        byInstance.forEach((instance, turns) -> {
            List<LogLine> sorted = new ArrayList<>(turns);
            sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
            for (int i = 1; i < sorted.size(); i++) {
                LogLine prev = sorted.get(i - 1);
                LogLine cur = sorted.get(i);
                assertThat(cur.start()).as("committed turn of %s in pid %d fetched after the committed turn in pid %d"
                        + " began its commit", instance, cur.pid(), prev.pid()).isGreaterThan(prev.end());
            }
        });
    }

    /** Log lines (activities and turns) per process, for the test output. */
    public static Map<Long, Long> linesPerProcess(List<LogLine> lines) {
        Map<Long, Long> perPid = new TreeMap<>();
        lines.forEach(l -> perPid.merge(l.pid(), 1L, Long::sum));
        return perPid;
    }

    /**
     * Every instance (and sub-orchestration) completed with the expected output, its stored history
     * replays to that output, and no work is left in the queues.
     */
    public static void assertAllCompletedAsExpected(Provider provider, int instances, Path scratch) {
        Registry registry = ContentionWorkload.registry(scratch.resolve("replay.log"));
        for (int n = 0; n < instances; n++) {
            String id = ContentionWorkload.instanceId(n);
            InstanceStatus status = provider.getInstance(id).orElseThrow();
            assertThat(status.status()).as(id).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(status.output()).as(id).isEqualTo(ContentionWorkload.expectedOutput(n));
            assertThat(status.executionId()).as(id + " execution").isEqualTo(ContentionWorkload.expectedExecutions(n));
        }
        List<InstanceStatus> all = provider.listInstances(InstanceQuery.all());
        assertThat(all).hasSize(instances + ContentionWorkload.subOrchestrations(instances));
        for (InstanceStatus status : all) {
            assertThat(status.status()).as(status.instanceId()).isEqualTo(RuntimeStatus.COMPLETED);
            ReplayChecks.assertReplays(registry, status, provider.readHistory(status.instanceId(), status.executionId()));
        }
        assertThat(provider.queueDepths().orchestratorReady()).isZero();
        assertThat(provider.queueDepths().activityReady()).isZero();
    }
}
