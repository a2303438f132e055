package io.duroxide.bench.peer;

import io.duroxide.provider.postgres.PostgresOptions;
import io.duroxide.provider.postgres.PostgresProvider;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One process of a round: sets its engine up, runs its warm-up workflows to completion (untimed: they bring the
 * JVM and the engine to the steady state of a long-running service), says {@code READY}; on {@code GO} starts its share of the
 * workflows as fast as one thread can and says {@code STARTED}; on {@code CPU} answers with the CPU time
 * this JVM used since {@code GO} (all threads: engine, JIT, GC); on {@code STOP} (or end of input) closes.
 *
 * <p>Arguments: engine, workload label, Duroxide's settings ({@link DuroxideSettings}, e.g. {@code on/8/4}; DBOS has none),
 * first instance number, count, warm-up workflows, then the store: a JDBC URL and a schema (PostgreSQL, either engine)
 * or a SQLite file.
 */
public final class PeerProcess {
    private PeerProcess() {}

    public static void main(String[] args) throws Exception {
        Engine engine = Engine.valueOf(args[0]);
        Workload workload = Workload.parse(args[1]);
        DuroxideSettings settings = DuroxideSettings.parse(args[2]);
        int first = Integer.parseInt(args[3]);
        int count = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Peer peer = open(engine, workload, settings, args[6], args.length > 7 ? args[7] : null, "p" + first)) {
            warmUp(peer, first, warmup);
            System.out.println("READY");
            System.out.flush();
            if (!"GO".equals(in.readLine())) {
                return;
            }
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuAtGo = os.getProcessCpuTime();
            for (int n = first; n < first + count; n++) {
                peer.start(Engine.instanceId(n), n);
            }
            System.out.println("STARTED");
            System.out.flush();
            if ("CPU".equals(in.readLine())) {
                System.out.println("CPU " + (os.getProcessCpuTime() - cpuAtGo));
                System.out.flush();
                in.readLine();
            }
        }
    }

    private static void warmUp(Peer peer, int first, int workflows) throws Exception {
        for (int k = 0; k < workflows; k++) {
            peer.start(Engine.warmupId(first, k), k);
        }
        for (int k = 0; k < workflows; k++) {
            peer.awaitCompletion(Engine.warmupId(first, k));
        }
    }

    private static Peer open(Engine engine, Workload workload, DuroxideSettings settings, String location, String schema,
            String executorId) {
        return switch (engine) {
            case DBOS -> new DbosPeer(location, schema, executorId, workload);
            case DUROXIDE_PG -> new DuroxidePeer(PostgresProvider.open(PostgresOptions.of(location).withSchema(schema)), workload,
                    settings);
            case DUROXIDE_SQLITE -> new DuroxidePeer(SqliteProvider.open(Path.of(location)), workload, settings);
        };
    }
}
