package io.duroxide.bench.startup;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The program whose start-up {@link StartupCost} times: open a fresh SQLite file, start a runtime, run one
 * orchestration that calls one activity, print {@value #DONE} as soon as it completed, then close and exit.
 * It also prints the time since JVM start as the JVM itself reports it; the JMX classes needed for that are
 * loaded only after the line is printed, so they do not count.
 */
public final class StartupProbe {
    static final String DONE = "first-orchestration-completed";

    private StartupProbe() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("duroxide-startup-");
        Path db = dir.resolve("startup.db");
        try (SqliteProvider provider = SqliteProvider.open(db)) {
            Registry registry = new Registry()
                    .addActivity("startup::Hello", String.class, (ctx, name) -> "hello " + name)
                    .addOrchestration("startup::Greet", String.class,
                            (ctx, name) -> ctx.callActivity("startup::Hello", name, String.class).await());
            try (DuroxideRuntime runtime = DuroxideRuntime.builder(provider, registry).build().start()) {
                DuroxideClient client = runtime.client();
                String id = client.startOrchestration("startup::Greet", "world");
                RuntimeStatus status = client.waitForCompletion(id, Duration.ofMinutes(1)).status();
                long now = System.currentTimeMillis();
                System.out.println(DONE + " " + status);
                System.out.flush();
                long sinceJvmStart = now - ManagementFactory.getRuntimeMXBean().getStartTime();
                System.out.println("since-jvm-start-ms " + sinceJvmStart);
                if (status != RuntimeStatus.COMPLETED) {
                    throw new IllegalStateException("the orchestration ended " + status);
                }
            }
        } finally {
            for (String f : new String[] {"startup.db", "startup.db-wal", "startup.db-shm"}) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.deleteIfExists(dir);
        }
    }
}
