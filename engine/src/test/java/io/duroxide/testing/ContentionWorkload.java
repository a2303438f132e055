package io.duroxide.testing;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.Task;
import io.duroxide.provider.Provider;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One of several runtimes, each in its own JVM, sharing one store (used by
 * {@code MultiProcessContentionTest} on SQLite and by other providers' multi-process tests through
 * {@link #run}). Usage: {@code ContentionWorkload DB LOG READY_FILE COUNT NAME [LOCK_TIMEOUT_MS]}.
 * It starts a runtime, writes READY_FILE, then works until the COUNT instances of the workload (which
 * the test starts once every child is ready) all exist and are terminal, and exits 0.
 *
 * <p>Every activity invocation appends {@code ACT pid instance activity input startNanos endNanos} to LOG,
 * and every committed orchestration turn appends {@code TURN pid instance - - fetchedNanos committingNanos}
 * ({@link CommittedTurnLog}, which wraps the provider). Turns are logged by their commit, not from
 * orchestration code: a turn whose lock expired during a stall runs its code beside the turn of the fetch
 * that took the instance over, and is then redone after its commit fails, which is at-least-once
 * execution and no breach of the lock. Times are {@link System#nanoTime()}, which on Linux is
 * CLOCK_MONOTONIC and so comparable across processes.
 */
public final class ContentionWorkload {
    public static final String[] KINDS = {"Chain", "FanOut", "Sleepy", "Parent", "Looper"};
    /** Distinct activity invocations per round of KINDS: 3 per Chain, 4 per FanOut, 1 per Sleepy, 3 + 1 per Parent, 3 per Looper. */
    public static final int ACTIVITIES_PER_ROUND = 3 + 4 + 1 + 4 + 3;
    /** Looper continues as new this many times, so its instances end in execution LOOPS + 1. */
    static final int LOOPS = 2;
    /** Looper's input carries the execution's round above this factor. */
    private static final int ROUND = 100_000;
    /**
     * How long a runtime waits for the whole workload before it gives up (exit 2). Generous: several child JVMs
     * share a loaded two-core machine; tests wait a minute longer, so the child's own report wins.
     */
    public static final Duration DEADLINE = Duration.ofMinutes(3);

    private ContentionWorkload() {}

    public static String instanceId(int n) {
        return "c-" + KINDS[n % KINDS.length].toLowerCase() + "-" + n;
    }

    public static String kind(int n) {
        return KINDS[n % KINDS.length];
    }

    /** Sub-orchestrations a workload of {@code instances} creates: one per Parent. */
    public static int subOrchestrations(int instances) {
        return instances / KINDS.length;
    }

    public static long expectedExecutions(int n) {
        return kind(n).equals("Looper") ? LOOPS + 1 : 1;
    }

    public static String expectedOutput(int n) {
        return switch (kind(n)) {
            case "Looper" -> "\"" + n + "+looped\"";
            case "Chain" -> "\"" + n + "+a+b+c\"";
            case "Parent" -> "\"" + n + "+a+b+c+p\"";
            case "FanOut" -> "[" + (n * 1) + "," + (n * 2) + "," + (n * 3) + "," + (n * 4) + "]";
            default -> "\"" + n + " slept\"";
        };
    }

    public static Registry registry(Path log) {
        return new Registry()
                .addActivity("Append", String.class, (ctx, in) -> {
                    long start = System.nanoTime();
                    Thread.sleep(10);
                    record(log, "ACT", ctx.instanceId(), ctx.activityName(), in, start);
                    return in;
                })
                .addActivity("Times", int[].class, (ctx, in) -> {
                    long start = System.nanoTime();
                    Thread.sleep(10);
                    record(log, "ACT", ctx.instanceId(), ctx.activityName(), in[0] + "x" + in[1], start);
                    return in[0] * in[1];
                })
                .addOrchestration("Chain", Integer.class, (ctx, n) -> {
                    String s = String.valueOf(n);
                    for (String step : List.of("a", "b", "c")) {
                        s = ctx.callActivity("Append", s + "+" + step, String.class).await();
                    }
                    return s;
                })
                .addOrchestration("FanOut", Integer.class, (ctx, n) -> {
                    List<Task<Integer>> parts = new ArrayList<>();
                    for (int i = 1; i <= 4; i++) {
                        parts.add(ctx.callActivity("Times", new int[] {n, i}, Integer.class));
                    }
                    return ctx.allOf(parts).await();
                })
                .addOrchestration("Sleepy", Integer.class, (ctx, n) -> {
                    ctx.createTimer(Duration.ofMillis(200)).await();
                    return ctx.callActivity("Append", n + " slept", String.class).await();
                })
                .addOrchestration("Parent", Integer.class, (ctx, n) -> {
                    String chained = ctx.callSubOrchestration("Chain", n, String.class).await();
                    return ctx.callActivity("Append", chained + "+p", String.class).await();
                })
                .addOrchestration("Looper", Integer.class, (ctx, in) -> {
                    int n = in % ROUND;
                    int round = in / ROUND;
                    if (round < LOOPS) {
                        ctx.callActivity("Append", n + "+r" + round, String.class).await();
                        ctx.continueAsNew(in + ROUND);
                        return null;
                    }
                    return ctx.callActivity("Append", n + "+looped", String.class).await();
                });
    }

    private static void record(Path log, String type, String instanceId, String name, String input, long start) throws IOException {
        append(log, type, instanceId, name, input, start, System.nanoTime());
    }

    /** Appends one line to the work log. */
    static void append(Path log, String type, String instanceId, String name, String input, long start, long end)
            throws IOException {
        String line = type + " " + ProcessHandle.current().pid() + " " + instanceId + " " + name + " " + input.replace(' ', '_')
                + " " + start + " " + end + "\n";
        // One write of a short line to a file opened with O_APPEND is atomic on Linux, so lines of
        // different processes never interleave.
        Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public static void main(String[] args) throws Exception {
        run(SqliteProvider.open(Path.of(args[0])), args);
    }

    /**
     * Runs one runtime on {@code provider} (closed at the end) with the arguments of {@link #main};
     * the first argument, which names the store, is not read here. Exits the JVM with 2 on a time-out.
     */
    public static void run(Provider opened, String[] args) throws Exception {
        Path log = Path.of(args[1]);
        Path ready = Path.of(args[2]);
        int count = Integer.parseInt(args[3]);
        String name = args[4];
        Duration lockTimeout = Duration.ofMillis(args.length > 5 ? Long.parseLong(args[5]) : 30_000);
        try (Provider provider = new CommittedTurnLog(opened, log);
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, registry(log))
                     .name(name)
                     .lockTimeouts(lockTimeout, lockTimeout)
                     .pollInterval(Duration.ofMillis(10))
                     .orchestrationConcurrency(2)
                     .activityConcurrency(4)
                     .build().start()) {
            Files.writeString(ready, String.valueOf(ProcessHandle.current().pid()));
            DuroxideClient client = runtime.client();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            int next = 0;
            while (next < count) {
                Optional<InstanceStatus> status = client.getStatus(instanceId(next));
                if (status.isPresent() && status.get().status().isTerminal()) {
                    next++;
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    System.out.println("TIMED OUT waiting for " + instanceId(next) + ": " + status);
                    System.exit(2);
                }
                Thread.sleep(20);
            }
        }
        System.out.println("ALL DONE " + name);
    }
}
