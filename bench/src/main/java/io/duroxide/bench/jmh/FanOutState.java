package io.duroxide.bench.jmh;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.bench.FanOutWorkload;
import io.duroxide.bench.Store;
import io.duroxide.bench.TempDirs;
import io.duroxide.provider.Provider;
import io.duroxide.provider.postgres.PostgresProvider;
import io.duroxide.runtime.DuroxideRuntime;
import io.duroxide.runtime.RuntimeOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A fresh store (a file-backed SQLite file in a temp dir, or a PostgreSQL schema of its own that is
 * dropped at the end) and a started runtime that runs {@link FanOutWorkload} with no-op activities.
 */
final class FanOutState {
    /** Where {@code provider=postgres} forks connect; an environment variable because forks inherit it. */
    static final String PG_URL_VARIABLE = "DUROXIDE_BENCH_PG_URL";

    private final Path dir;
    private final Store store;
    private final Provider provider;
    private final DuroxideRuntime runtime;
    private final DuroxideClient client;
    private long next;

    FanOutState(String providerKind) throws IOException {
        this(providerKind, RuntimeOptions.DEFAULTS.orchestrationConcurrency(), RuntimeOptions.DEFAULTS.activityConcurrency());
    }

    FanOutState(String providerKind, int orchestrationSlots, int activitySlots) throws IOException {
        dir = Files.createTempDirectory("duroxide-jmh-");
        store = Store.POSTGRES.equals(providerKind)
                ? Store.postgres(System.getenv(PG_URL_VARIABLE), "jmh_" + Long.toString(System.nanoTime(), 36))
                : new Store(providerKind, dir.resolve("bench.db"), null, null);
        provider = store.open();
        runtime = DuroxideRuntime.builder(provider, FanOutWorkload.registry(0))
                .orchestrationConcurrency(orchestrationSlots)
                .activityConcurrency(activitySlots)
                .build().start();
        client = runtime.client();
    }

    /** Starts {@code batch} instances and waits until all of them completed. */
    void runBatch(int batch) {
        runBatch(batch, () -> {});
    }

    /** Starts {@code batch} instances and waits until all of them completed, telling {@code completed} of each. */
    void runBatch(int batch, Runnable completed) {
        String[] ids = new String[batch];
        for (int i = 0; i < batch; i++) {
            ids[i] = client.startOrchestration(FanOutWorkload.FAN_OUT, i, StartOptions.withInstanceId("i-" + next++));
        }
        for (String id : ids) {
            RuntimeStatus status = client.waitForCompletion(id, Duration.ofMinutes(1)).status();
            if (status != RuntimeStatus.COMPLETED) {
                throw new IllegalStateException(id + " ended " + status);
            }
            completed.run();
        }
    }

    /** The store's provider. */
    Provider provider() {
        return provider;
    }

    void close() throws IOException {
        runtime.close();
        provider.close();
        if (store.isPostgres()) {
            PostgresProvider.dropSchema(store.pgOptions());
        }
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
