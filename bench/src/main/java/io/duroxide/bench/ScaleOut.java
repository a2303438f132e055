package io.duroxide.bench;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.Provider;
import io.duroxide.provider.postgres.PostgresProvider;
import io.duroxide.runtime.DuroxideRuntime;
import io.duroxide.runtime.ProviderClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of 1, 2, 3... runtime processes sharing one store. For each process count it fills a
 * fresh store (a new PostgreSQL schema, or a new SQLite file) with a backlog of {@link FanOutWorkload}
 * instances, starts that many runtime JVMs (default concurrency each), lets them all go at once, and
 * times until the store reports no active instance; then checks that every instance completed.
 * Score: orchestrations completed per second of that interval (JVM start-up excluded).
 *
 * <pre>java -cp bench/target/duroxide-loadgen.jar io.duroxide.bench.ScaleOut --provider sqlite|postgres
 *      [--pg-url JDBC_URL] [--runtimes 1,2,3] [--instances 1000] [--activity-ms 0] [--db-dir DIR]</pre>
 */
public final class ScaleOut {
    private ScaleOut() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--worker")) {
            worker(args);
            return;
        }
        String provider = Store.SQLITE;
        String pgUrl = null;
        String runtimes = "1,2,3";
        int instances = 1000;
        long activityMs = 0;
        Path dbDir = Files.createTempDirectory("duroxide-scaleout-");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--provider" -> provider = args[i + 1];
                case "--pg-url" -> pgUrl = args[i + 1];
                case "--runtimes" -> runtimes = args[i + 1];
                case "--instances" -> instances = Integer.parseInt(args[i + 1]);
                case "--activity-ms" -> activityMs = Long.parseLong(args[i + 1]);
                case "--db-dir" -> dbDir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf("%-9s %8s %9s %11s %9s %10s %9s%n", "provider", "runtimes", "instances", "activity_ms",
                "seconds", "orch/s", "act/s");
        for (String k : runtimes.split(",")) {
            int processes = Integer.parseInt(k.trim());
            String tag = "scaleout_" + processes + "_" + Long.toString(System.currentTimeMillis(), 36);
            Store store = Store.POSTGRES.equals(provider) ? Store.postgres(pgUrl, tag)
                    : new Store(provider, dbDir.resolve(tag + ".db"), null, null);
            double seconds = round(store, processes, instances, activityMs);
            System.out.printf("%-9s %8d %9d %11d %9.2f %10.1f %9.1f%n", store.kind(), processes, instances, activityMs,
                    seconds, instances / seconds, instances * FanOutWorkload.FAN / seconds);
            if (store.isPostgres()) {
                PostgresProvider.dropSchema(store.pgOptions());
            }
        }
    }

    private static double round(Store store, int processes, int instances, long activityMs) throws Exception {
        try (Provider provider = store.open()) {
            DuroxideClient client = new ProviderClient(provider);
            for (int n = 0; n < instances; n++) {
                client.startOrchestration(FanOutWorkload.FAN_OUT, n, StartOptions.withInstanceId("s-" + n));
            }
            List<Process> workers = new ArrayList<>();
            try {
                for (int p = 0; p < processes; p++) {
                    workers.add(startWorker(store, activityMs));
                }
                for (Process w : workers) {
                    awaitLine(w, "READY");
                }
                long start = System.nanoTime();
                for (Process w : workers) {
                    send(w, "GO");
                }
                long deadline = start + TimeUnit.MINUTES.toNanos(10);
                while (active(provider) > 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("not finished after 10 minutes: " + active(provider) + " active");
                    }
                    Thread.sleep(20);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                for (Process w : workers) {
                    send(w, "STOP");
                }
                for (Process w : workers) {
                    if (!w.waitFor(60, TimeUnit.SECONDS) || w.exitValue() != 0) {
                        throw new IllegalStateException("a runtime process did not stop cleanly");
                    }
                }
                checkAllCompleted(provider, instances);
                return seconds;
            } finally {
                workers.forEach(Process::destroyForcibly);
            }
        }
    }

    private static long active(Provider provider) {
        return provider.countActiveInstances().stream().mapToLong(ActiveInstanceCount::count).sum();
    }

    private static void checkAllCompleted(Provider provider, int instances) {
        int completed = 0;
        String after = null;
        while (true) {
            List<InstanceStatus> page = provider.listInstances(new InstanceQuery(null, null, after, 1000));
            for (InstanceStatus s : page) {
                if (s.status() != RuntimeStatus.COMPLETED || !"5".equals(s.output())) {
                    throw new IllegalStateException(s.instanceId() + " ended " + s.status() + " with " + s.output());
                }
                completed++;
            }
            if (page.size() < 1000) {
                break;
            }
            after = page.get(page.size() - 1).instanceId();
        }
        if (completed != instances) {
            throw new IllegalStateException(completed + " of " + instances + " instances completed");
        }
    }

    private static Process startWorker(Store store, long activityMs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                ScaleOut.class.getName(), "--worker", store.kind(), String.valueOf(activityMs)));
        command.add(store.isPostgres() ? store.pgUrl() : store.file().toString());
        command.add(store.isPostgres() ? store.pgSchema() : "-");
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** A runtime process: opens the store, says READY, starts on GO, stops on STOP (or end of input). */
    private static void worker(String[] args) throws Exception {
        Store store = new Store(args[1], args[1].equals(Store.SQLITE) ? Path.of(args[3]) : null,
                args[1].equals(Store.SQLITE) ? null : args[3], args[1].equals(Store.SQLITE) ? null : args[4]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Provider provider = store.open();
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, FanOutWorkload.registry(Long.parseLong(args[2])))
                     .build()) {
            System.out.println("READY");
            System.out.flush();
            if (!"GO".equals(in.readLine())) {
                return;
            }
            runtime.start();
            in.readLine();
        }
    }

    private static void awaitLine(Process p, String expected) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.equals(expected)) {
                return;
            }
        }
        throw new IllegalStateException("runtime process ended before " + expected);
    }

    private static void send(Process p, String line) throws IOException {
        OutputStream out = p.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

}
