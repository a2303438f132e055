package io.duroxide.bench.jmh;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.Task;
import io.duroxide.bench.TempDirs;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One file-backed SQLite store in a temp dir and a started runtime that runs the fan-out workload:
 * one orchestration calls five no-op activities and joins them.
 */
final class FanOutState {
    static final String FAN_OUT = "bench::FanOut";
    static final int FAN = 5;

    private final Path dir;
    private final SqliteProvider provider;
    private final DuroxideRuntime runtime;
    private final DuroxideClient client;
    private long next;

    FanOutState() throws IOException {
        dir = Files.createTempDirectory("duroxide-jmh-");
        provider = SqliteProvider.open(dir.resolve("bench.db"));
        Registry registry = new Registry()
                .addActivity("bench::Noop", Integer.class, (ctx, n) -> n)
                .addOrchestration(FAN_OUT, Integer.class, (ctx, n) -> {
                    List<Task<Integer>> tasks = new ArrayList<>(FAN);
                    for (int i = 0; i < FAN; i++) {
                        tasks.add(ctx.callActivity("bench::Noop", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().size();
                });
        runtime = DuroxideRuntime.builder(provider, registry).build().start();
        client = runtime.client();
    }

    /** Starts {@code batch} instances and waits until all of them completed. */
    void runBatch(int batch) {
        String[] ids = new String[batch];
        for (int i = 0; i < batch; i++) {
            ids[i] = client.startOrchestration(FAN_OUT, i, StartOptions.withInstanceId("i-" + next++));
        }
        for (String id : ids) {
            RuntimeStatus status = client.waitForCompletion(id, Duration.ofMinutes(1)).status();
            if (status != RuntimeStatus.COMPLETED) {
                throw new IllegalStateException(id + " ended " + status);
            }
        }
    }

    void close() throws IOException {
        runtime.close();
        provider.close();
        TempDirs.deleteRecursively(dir);
    }

    /** Fails fast when a variant that should run with the agent runs without it (e.g. wrong working directory). */
    static void requireAgent(boolean expected) {
        boolean attached = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("duroxide-agent"));
        if (attached != expected) {
            throw new IllegalStateException("this fork should run " + (expected ? "with" : "without")
                    + " the duroxide agent; JVM arguments: " + ManagementFactory.getRuntimeMXBean().getInputArguments()
                    + " (run from the repository root after mvn -DskipTests package, and do not attach the agent to the JMH host)");
        }
    }
}
