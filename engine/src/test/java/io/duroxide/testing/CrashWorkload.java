package io.duroxide.testing;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.Registry;
import io.duroxide.api.StartOptions;
import io.duroxide.api.Task;
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

/**
 * A mixed workload run in a child JVM that tests kill with SIGKILL and restart. Every activity
 * appends "instance/task" to a log file before it returns, so the test can prove at-least-once
 * execution. Usage: {@code CrashWorkload DB LOG COUNT}; exits 0 once all instances have finished.
 */
public final class CrashWorkload {
    public static final String[] KINDS = {"Chain", "FanOut", "Sleepy", "Parent"};

    private CrashWorkload() {}

    public static String instanceId(int n) {
        return KINDS[n % KINDS.length].toLowerCase() + "-" + n;
    }

    public static String expectedOutput(int n) {
        return switch (KINDS[n % KINDS.length]) {
            case "Chain", "Parent" -> "\"" + n + "+a+b+c\"";
            case "FanOut" -> "[" + (n * 1) + "," + (n * 2) + "," + (n * 3) + "," + (n * 4) + "," + (n * 5) + "]";
            default -> "\"" + n + " slept\"";
        };
    }

    public static Registry registry(Path log) {
        return new Registry()
                .addActivity("Append", String.class, (ctx, in) -> {
                    record(log, ctx.instanceId(), ctx.activityName());
                    Thread.sleep(5);
                    return in;
                })
                .addActivity("Times", int[].class, (ctx, in) -> {
                    record(log, ctx.instanceId(), ctx.activityName());
                    Thread.sleep(5);
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
                    for (int i = 1; i <= 5; i++) {
                        parts.add(ctx.callActivity("Times", new int[] {n, i}, Integer.class));
                    }
                    return ctx.allOf(parts).await();
                })
                .addOrchestration("Sleepy", Integer.class, (ctx, n) -> {
                    ctx.createTimer(Duration.ofMillis(300)).await();
                    return ctx.callActivity("Append", n + " slept", String.class).await();
                })
                .addOrchestration("Parent", Integer.class, (ctx, n) -> ctx.callSubOrchestration("Chain", n, String.class).await());
    }

    private static void record(Path log, String instanceId, String activity) throws IOException {
        Files.writeString(log, instanceId + "/" + activity + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Path log = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        try (SqliteProvider provider = SqliteProvider.open(db);
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, registry(log))
                     // Short locks, so each restart soon takes over what the killed run held, yet renewed with
                     // room for a loaded machine's stalls. Poisoning is not this workload's subject: an item
                     // delivered again after every kill and every lock a stall cost must still complete.
                     .lockTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                     .maxDeliveryAttempts(100)
                     .pollInterval(Duration.ofMillis(10))
                     .activityConcurrency(4)
                     .build().start()) {
            DuroxideClient client = runtime.client();
            for (int n = 0; n < count; n++) {
                try {
                    client.startOrchestration(KINDS[n % KINDS.length], n, StartOptions.withInstanceId(instanceId(n)));
                } catch (InstanceAlreadyExistsException alreadyStartedBeforeACrash) {
                    // a previous run of this process started it
                }
            }
            for (int n = 0; n < count; n++) {
                client.waitForCompletion(instanceId(n), Duration.ofMinutes(2));
            }
        }
        System.out.println("ALL DONE");
    }
}
