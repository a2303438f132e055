package io.duroxide.runtime;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Real runtimes over a real SQLite file, closed together at the end of a test. */
final class EngineHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Path dbFile;
    private final List<AutoCloseable> resources = new ArrayList<>();

    EngineHarness(Path dir) {
        this.dbFile = dir.resolve("engine.db");
    }

    Path dbFile() {
        return dbFile;
    }

    /** Opens another provider on the shared file, closed with the harness. */
    SqliteProvider openProvider() {
        SqliteProvider provider = SqliteProvider.open(dbFile);
        resources.add(provider);
        return provider;
    }

    /** Opens a provider and a started runtime over the shared file, as a separate process would. */
    DuroxideRuntime runtime(Registry registry) {
        return runtime(registry, b -> { });
    }

    DuroxideRuntime runtime(Registry registry, Consumer<DuroxideRuntime.Builder> tuning) {
        SqliteProvider provider = openProvider();
        DuroxideRuntime.Builder builder = DuroxideRuntime.builder(provider, registry)
                .pollInterval(Duration.ofMillis(10))
                .unregisteredBackoff(Duration.ofMillis(20))
                .shutdownGrace(Duration.ofSeconds(5));
        tuning.accept(builder);
        DuroxideRuntime runtime = builder.build();
        resources.add(runtime);
        return runtime.start();
    }

    static InstanceStatus await(DuroxideClient client, String instanceId) {
        return client.waitForCompletion(instanceId, WAIT);
    }

    /** Polls until the condition holds or the deadline passes. */
    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static void eventuallyStatus(DuroxideClient client, String instanceId, RuntimeStatus expected) {
        eventually(instanceId + " is " + expected,
                () -> client.getStatus(instanceId).map(s -> s.status() == expected).orElse(false));
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + resources.get(i), e);
            }
        }
    }
}
