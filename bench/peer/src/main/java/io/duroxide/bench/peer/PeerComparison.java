package io.duroxide.bench.peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Duroxide (on PostgreSQL and on SQLite) next to DBOS Transact, on the same PostgreSQL server, the same
 * workloads and the same machine. Each row (a workload and a number of processes) runs every engine once per
 * round, in an order that rotates from round to round, so load on a shared machine falls on all of them alike.
 * A round: fresh store (a new schema, or a new SQLite file), that many child JVMs each set up and ready, then
 * each starts its share of the workflows at once; the round ends when the store holds them all completed.
 * The figures come from the stores' own timestamps (start and completion of each workflow) and from
 * {@code /proc}: each child's JVM CPU from GO to the end, and the CPU of the PostgreSQL backends of its sessions.
 * The same timestamps give the burst's shape ({@link BurstShape}): whether completions came steadily from the
 * start of the drain or all at its end.
 *
 * <pre>java -jar bench/peer/target/duroxide-vs-dbos.jar --pg-url JDBC_URL --dbos-url JDBC_URL
 *      [--instances 500] [--rounds 2] [--processes 1,2]
 *      [--workloads sequential/0ms,fanout/0ms,sequential/10ms,fanout/10ms] [--engines DBOS,DUROXIDE_PG,DUROXIDE_SQLITE]
 *      [--local-steps on|off] [--slots 8/4] [--warmup 0] [--keep-stores on|off]</pre>
 *
 * Both URLs carry {@code user} and {@code password} parameters; DBOS's may name another database of the same
 * server (DBOS creates its schema there). {@code --local-steps} is Duroxide's {@code localSteps} (on by default):
 * off, every step goes through the activity queue and its result is a turn of its own. {@code --slots O/A} sets
 * Duroxide's orchestration and activity slots (its defaults: 8/4). {@code --warmup N} has each
 * child process run N workflows of the row's workload to completion before the round's clock starts (left out of
 * every figure), so that the round measures warm JVMs, as a long-running service has, rather than mostly the JIT
 * compiler's first seconds. {@code --keep-stores on} leaves each round's schema or SQLite file in place and prints
 * where, so that the slowest workflows of a round can be read afterwards (their turn counts, their histories).
 */
public final class PeerComparison {
    private static final long ROUND_DEADLINE_MINUTES = 10;

    private final String pgUrl;
    private final String dbosUrl;
    private final Path sqliteDir;
    private final DuroxideSettings duroxide;
    private final int warmup;
    private final boolean keepStores;

    private PeerComparison(String pgUrl, String dbosUrl, Path sqliteDir, DuroxideSettings duroxide, int warmup, boolean keepStores) {
        this.pgUrl = pgUrl;
        this.dbosUrl = dbosUrl;
        this.sqliteDir = sqliteDir;
        this.duroxide = duroxide;
        this.warmup = warmup;
        this.keepStores = keepStores;
    }

    public static void main(String[] args) throws Exception {
        String pgUrl = null;
        String dbosUrl = null;
        int instances = 500;
        int rounds = 2;
        List<Integer> processes = List.of(1, 2);
        List<Workload> workloads = List.of(new Workload(Workload.SEQUENTIAL, 0), new Workload(Workload.FAN_OUT, 0),
                new Workload(Workload.SEQUENTIAL, 10), new Workload(Workload.FAN_OUT, 10));
        List<Engine> engines = List.of(Engine.values());
        DuroxideSettings duroxide = DuroxideSettings.DEFAULTS;
        int warmup = 0;
        boolean keepStores = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--pg-url" -> pgUrl = args[i + 1];
                case "--dbos-url" -> dbosUrl = args[i + 1];
                case "--instances" -> instances = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--processes" -> processes = Arrays.stream(args[i + 1].split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--workloads" -> workloads = Arrays.stream(args[i + 1].split(",")).map(String::trim).map(Workload::parse).toList();
                case "--engines" -> engines = Arrays.stream(args[i + 1].split(",")).map(String::trim).map(Engine::valueOf).toList();
                case "--local-steps" -> duroxide = duroxide.withLocalSteps(onOrOff(args[i], args[i + 1]));
                case "--slots" -> duroxide = duroxide.withSlots(slots(args[i + 1], 0), slots(args[i + 1], 1));
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--keep-stores" -> keepStores = onOrOff(args[i], args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (pgUrl == null || dbosUrl == null) {
            throw new IllegalArgumentException("--pg-url and --dbos-url are required (jdbc:postgresql://host:port/db?user=...&password=...)");
        }
        PeerComparison comparison = new PeerComparison(pgUrl, dbosUrl, Files.createTempDirectory("duroxide-peer-"), duroxide,
                warmup, keepStores);
        System.out.printf("%d workflows per round after %d warm-up workflows per process, %d round(s), Duroxide: %s;"
                + " load average before: %s%n", instances, warmup, rounds, duroxide.describe(), loadAverage());
        for (Workload workload : workloads) {
            for (int k : processes) {
                comparison.row(workload, k, instances, rounds, engines);
            }
        }
        System.out.printf("load average after: %s%n", loadAverage());
    }

    /** Part {@code index} of {@code ORCHESTRATION/ACTIVITY}. */
    private static int slots(String value, int index) {
        String[] parts = value.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--slots is ORCHESTRATION/ACTIVITY, e.g. 32/16, was '" + value + "'");
        }
        return Integer.parseInt(parts[index].trim());
    }

    private static boolean onOrOff(String option, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(option + " is on or off, was '" + value + "'");
        };
    }

    private void row(Workload workload, int processes, int instances, int rounds, List<Engine> engines) throws Exception {
        Map<Engine, List<RoundResult>> results = new EnumMap<>(Engine.class);
        for (int r = 0; r < rounds; r++) {
            for (int e = 0; e < engines.size(); e++) {
                Engine engine = engines.get((e + r) % engines.size());
                RoundResult result = round(engine, workload, processes, instances);
                results.computeIfAbsent(engine, x -> new ArrayList<>()).add(result);
                System.out.printf("  round %d %-16s %s%n", r + 1, engine.label(), result.row());
            }
        }
        System.out.printf("%-15s %9s %-16s %s  (mean of %d rounds; load %s)%n", "workload", "processes", "engine",
                RoundResult.header(), rounds, loadAverage());
        RoundResult dbos = results.containsKey(Engine.DBOS) ? RoundResult.mean(results.get(Engine.DBOS)) : null;
        for (Engine engine : engines) {
            RoundResult mean = RoundResult.mean(results.get(engine));
            String ratio = dbos == null || engine == Engine.DBOS ? ""
                    : String.format("  x%.2f wf/s, x%.2f p99 vs DBOS", mean.perSecond() / dbos.perSecond(), mean.p99Ms() / dbos.p99Ms());
            System.out.printf("%-15s %9d %-16s %s%s%n", workload.label(), processes, engine.label(), mean.row(), ratio);
        }
        System.out.flush();
    }

    private RoundResult round(Engine engine, Workload workload, int processes, int instances) throws Exception {
        String tag = "peer_" + engine.name().toLowerCase() + "_" + Long.toString(System.nanoTime(), 36);
        String location = switch (engine) {
            case DBOS -> withApplicationName(dbosUrl, tag);
            case DUROXIDE_PG -> withApplicationName(pgUrl, tag);
            case DUROXIDE_SQLITE -> sqliteDir.resolve(tag + ".db").toString();
        };
        String storeUrl = engine == Engine.DUROXIDE_SQLITE ? "jdbc:sqlite:" + location : engine == Engine.DBOS ? dbosUrl : pgUrl;
        List<Child> children = new ArrayList<>();
        try (Connection admin = Engine.connect(pgUrl)) {
            int share = instances / processes;
            for (int p = 0; p < processes; p++) {
                int count = p == processes - 1 ? instances - share * p : share;
                children.add(Child.start(engine, workload, duroxide, share * p, count, warmup, location, tag));
            }
            for (Child c : children) {
                c.expect("READY");
            }
            Map<Integer, Long> pgBefore = engine.onPostgres() ? BackendCpu.byBackend(admin, tag) : Map.of();
            children.forEach(c -> c.send("GO"));
            try (Connection store = Engine.connect(storeUrl)) {
                awaitCompleted(engine, store, tag, instances);
                Map<Integer, Long> pgAfter = engine.onPostgres() ? BackendCpu.byBackend(admin, tag) : Map.of();
                long jvmCpu = 0;
                for (Child c : children) {
                    c.expect("STARTED");
                    c.send("CPU");
                    jvmCpu += Long.parseLong(c.expect("CPU ").substring(4));
                    c.send("STOP");
                }
                for (Child c : children) {
                    c.awaitExit();
                }
                return RoundResult.of(engine.spans(store, tag), jvmCpu, BackendCpu.used(pgBefore, pgAfter));
            } finally {
                if (keepStores) {
                    System.out.printf("  kept %s's store: %s%n", engine.label(), engine == Engine.DUROXIDE_SQLITE ? location : "schema " + tag);
                } else {
                    dropStore(engine, admin, tag, location);
                }
            }
        } finally {
            children.forEach(Child::destroy);
        }
    }

    private static void awaitCompleted(Engine engine, Connection store, String schema, int instances) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(ROUND_DEADLINE_MINUTES);
        int done;
        while ((done = completedOrZero(engine, store, schema)) < instances) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(engine.label() + ": " + done + " of " + instances + " completed after "
                        + ROUND_DEADLINE_MINUTES + " minutes");
            }
            Thread.sleep(20);
        }
    }

    /** 0 while the engine has not created its tables yet. */
    private static int completedOrZero(Engine engine, Connection store, String schema) throws SQLException {
        try {
            return engine.completed(store, schema);
        } catch (SQLException e) {
            if (!store.getAutoCommit()) {
                store.rollback();
            }
            return 0;
        }
    }

    private void dropStore(Engine engine, Connection admin, String tag, String location) throws Exception {
        if (engine == Engine.DUROXIDE_SQLITE) {
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(Path.of(location + suffix));
            }
            return;
        }
        try (Connection c = engine == Engine.DBOS ? Engine.connect(dbosUrl) : null; Statement s = (c != null ? c : admin).createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + tag + "\" CASCADE");
        }
    }

    private static String withApplicationName(String url, String name) {
        return url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + name;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A child JVM running {@link PeerProcess}, spoken to line by line. */
    private record Child(Process process, BufferedReader out) {
        static Child start(Engine engine, Workload workload, DuroxideSettings duroxide, int first, int count, int warmup, String location,
                String schema)
                throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    PeerProcess.class.getName(), engine.name(), workload.label(), duroxide.toString(), String.valueOf(first),
                    String.valueOf(count), String.valueOf(warmup), location));
            if (engine.onPostgres()) {
                command.add(schema);
            }
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new Child(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        }

        /** Reads lines until one starts with {@code prefix}; returns it. */
        String expect(String prefix) throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IllegalStateException("a " + prefix.strip() + " process ended before saying " + prefix.strip());
        }

        void send(String line) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new IllegalStateException("a child process stopped listening", e);
            }
        }

        void awaitExit() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("a child process did not stop cleanly");
            }
        }

        void destroy() {
            process.destroyForcibly();
        }
    }
}
