package io.duroxide.bench;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Rust duroxide stress workload, reproduced for a like-for-like figure: an orchestration fans out
 * five activities that each sleep 10 ms and joins them; a pump keeps at most 20 instances in flight
 * for the run's duration, then waits for those in flight (the drain). Throughput is reported as they
 * report it, completed / total wall time including the drain, next to the ceiling the sleeping
 * activities impose: each activity slot runs at most 100 of them per second, so S slots finish at
 * most 20 S orchestrations per second. A sleep of 10 ms takes longer than that on most machines (the OS
 * wakes the thread late), so the run also measures the sleeps and reports the share of the ceiling they
 * really leave: that share is what the engine's own overhead costs.
 *
 * <p>A JVM runs its first seconds interpreted and compiling: before the measured runs, the first slot pair runs
 * for {@code --warmup} seconds (default 5; 0 for none) on a database of its own, as JMH's warm-up iterations do.
 * Its line is printed too, marked as warm-up, and not counted. Each measured run starts on an empty database.
 *
 * <pre>java -cp bench/target/duroxide-loadgen.jar io.duroxide.bench.StressRun [--warmup SECONDS] [SECONDS] [SLOTS...]</pre>
 * SLOTS are orchestration/activity slot pairs, default {@code 1/1 2/2}.
 */
public final class StressRun {
    static final long ACTIVITY_MS = 10;
    static final int IN_FLIGHT = 20;

    private StressRun() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        int warmup = 5;
        if (!rest.isEmpty() && rest.get(0).equals("--warmup")) {
            if (rest.size() < 2) {
                throw new IllegalArgumentException("--warmup needs a number of seconds");
            }
            warmup = Integer.parseInt(rest.get(1));
            rest = rest.subList(2, rest.size());
        }
        int seconds = !rest.isEmpty() ? Integer.parseInt(rest.get(0)) : 30;
        List<String> slotPairs = rest.size() > 1 ? rest.subList(1, rest.size()) : List.of("1/1", "2/2");
        System.out.printf("%-14s %9s %9s %8s %10s %8s %9s %9s%n", "slots", "completed", "failed", "wall s", "orch/s",
                "ceiling", "sleep ms", "of slept");
        if (warmup > 0) {
            report(slotPairs.get(0) + " warm-up", run(Duration.ofSeconds(warmup), slotPairs.get(0)));
        }
        for (String pair : slotPairs) {
            report(pair, run(Duration.ofSeconds(seconds), pair));
        }
    }

    private static void report(String label, Result r) {
        System.out.printf("%-14s %9d %9d %8.2f %10.2f %7.1f%% %9.3f %8.1f%%  (ceiling %.0f orch/s; %.2f with the sleeps as slept)%n",
                label, r.completed, r.failed, r.wallSeconds, r.perSecond(), 100 * r.perSecond() / r.ceiling(),
                r.meanSleepMillis(), 100 * r.perSecond() / r.sleptCeiling(), r.ceiling(), r.sleptCeiling());
    }

    private static Result run(Duration duration, String slotPair) throws Exception {
        String[] parts = slotPair.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("slots are ORCHESTRATION/ACTIVITY, e.g. 1/1, not " + slotPair);
        }
        return run(duration, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    /** @param meanSleepMillis how long the activities' 10 ms sleeps took on average */
    record Result(int completed, int failed, double wallSeconds, int activitySlots, double meanSleepMillis) {
        double perSecond() {
            return completed / wallSeconds;
        }

        /** Orchestrations per second if each activity took exactly its nominal time. */
        double ceiling() {
            return 1000.0 / ACTIVITY_MS / FanOutWorkload.FAN * activitySlots;
        }

        /** The same ceiling with each activity taking its measured mean sleep. */
        double sleptCeiling() {
            return 1000.0 / meanSleepMillis / FanOutWorkload.FAN * activitySlots;
        }
    }

    static Result run(Duration duration, int orchestrationSlots, int activitySlots) throws Exception {
        Path dir = Files.createTempDirectory("duroxide-stress-");
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong nextId = new AtomicLong();
        FanOutWorkload.Sleeps sleeps = new FanOutWorkload.Sleeps();
        try (SqliteProvider provider = SqliteProvider.open(dir.resolve("stress.db"));
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, FanOutWorkload.registry(ACTIVITY_MS, sleeps))
                     .orchestrationConcurrency(orchestrationSlots)
                     .activityConcurrency(activitySlots)
                     .pollInterval(Duration.ofMillis(100))
                     .build().start()) {
            DuroxideClient client = runtime.client();
            long start = System.nanoTime();
            long stopStarting = start + duration.toNanos();
            ExecutorService pump = Executors.newFixedThreadPool(IN_FLIGHT);
            for (int i = 0; i < IN_FLIGHT; i++) {
                pump.execute(() -> {
                    while (System.nanoTime() < stopStarting) {
                        String id = client.startOrchestration(FanOutWorkload.FAN_OUT, 0, StartOptions.withInstanceId("s-" + nextId.getAndIncrement()));
                        RuntimeStatus status = client.waitForCompletion(id, Duration.ofMinutes(5)).status();
                        (status == RuntimeStatus.COMPLETED ? completed : failed).incrementAndGet();
                    }
                });
            }
            pump.shutdown();
            if (!pump.awaitTermination(duration.toSeconds() + 300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the pump did not drain within 5 minutes of the run's end");
            }
            double wall = (System.nanoTime() - start) / 1e9;
            return new Result(completed.get(), failed.get(), wall, activitySlots, sleeps.meanMillis());
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }
}
