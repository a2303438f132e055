package io.duroxide.testing;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.Registry;
import io.duroxide.api.StartOptions;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Child JVM for {@code PoisonProcessDeathTest}: the activity "Halt" kills its own process (as an OOM
 * kill or a native crash would) every time it runs. Exits 0 once both instances have ended.
 */
public final class HaltingWorkload {
    public static final int MAX_DELIVERIES = 3;
    /** The exit code of a process the Halt activity killed. */
    public static final int HALTED = 3;

    private static volatile DuroxideClient client;

    private HaltingWorkload() {}

    /**
     * A process death takes down whatever that process holds at the moment, so the Halt activity
     * first lets the bystander finish: the test then shows that other work ran while the poisoned
     * activity was being retried, and that only the culprit is poisoned.
     */
    private static void awaitBystander() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline
                && !client.getStatus("bystander").map(s -> s.status().isTerminal()).orElse(false)) {
            Thread.sleep(5);
        }
    }

    public static void main(String[] args) throws Exception {
        Registry registry = new Registry()
                .addActivity("Halt", String.class, (ctx, in) -> {
                    awaitBystander();
                    Runtime.getRuntime().halt(HALTED);
                    return in;
                })
                .addActivity("Fine", String.class, (ctx, in) -> in + " done")
                .addOrchestration("Victim", String.class, (ctx, in) -> ctx.callActivity("Halt", in, String.class).await())
                .addOrchestration("Bystander", String.class, (ctx, in) -> ctx.callActivity("Fine", in, String.class).await());
        try (SqliteProvider provider = SqliteProvider.open(Path.of(args[0]));
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, registry)
                     // The activity lock outlives the stalls of a loaded machine (renewed every 2.5 s), so its
                     // deliveries are normally spent by deaths, not by expiries; each next run waits it out.
                     .lockTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5))
                     .pollInterval(Duration.ofMillis(10))
                     .maxDeliveryAttempts(MAX_DELIVERIES)
                     .build().start()) {
            client = runtime.client();
            for (String name : new String[] {"Victim", "Bystander"}) {
                try {
                    client.startOrchestration(name, "x", StartOptions.withInstanceId(name.toLowerCase()));
                } catch (InstanceAlreadyExistsException startedByAnEarlierRun) {
                    // an earlier run of this process started it
                }
            }
            client.waitForCompletion("bystander", Duration.ofSeconds(60));
            client.waitForCompletion("victim", Duration.ofSeconds(60));
        }
    }
}
