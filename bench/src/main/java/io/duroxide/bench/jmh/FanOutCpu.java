package io.duroxide.bench.jmh;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.RuntimeOptions;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * The fan-out workload of {@link FanOutBenchmark} outside JMH, for side-by-side comparisons of two builds
 * (run each jar in turn, several times) and of slot counts: orchestrations per second, the process's CPU
 * time per orchestration and SQLite write transactions per orchestration, after a warm-up.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.duroxide.bench.jmh.FanOutCpu [WARM-UP] [MEASURED] [ORCHESTRATION-SLOTS ACTIVITY-SLOTS]</pre>
 * Defaults: 4,000 and 8,000 orchestrations, the runtime's default slots.
 */
public final class FanOutCpu {
    private FanOutCpu() {}

    public static void main(String[] args) throws Exception {
        int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 4_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 8_000;
        int orchestrationSlots = args.length > 3 ? Integer.parseInt(args[2]) : RuntimeOptions.DEFAULTS.orchestrationConcurrency();
        int activitySlots = args.length > 3 ? Integer.parseInt(args[3]) : RuntimeOptions.DEFAULTS.activityConcurrency();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        FanOutState state = new FanOutState("sqlite", orchestrationSlots, activitySlots);
        try {
            SqliteProvider provider = (SqliteProvider) state.provider();
            run(state, warmUp);
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long jitMillis = jit.getTotalCompilationTime();
            long gcMillis = gcMillis();
            long allocated = allocatedBytes();
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            long transactions = provider.writeTransactions();
            Map<String, Long> threadTicks = ThreadGroupsCpu.ticksByGroup();
            run(state, measured);
            Map<String, Long> threadTicksAfter = ThreadGroupsCpu.ticksByGroup();
            cpu = os.getProcessCpuTime() - cpu;
            wall = System.nanoTime() - wall;
            transactions = provider.writeTransactions() - transactions;
            jitMillis = jit.getTotalCompilationTime() - jitMillis;
            gcMillis = gcMillis() - gcMillis;
            allocated = allocatedBytes() - allocated;
            System.out.printf("%d/%d slots: orch/s %.0f  cpu ms/orch %.3f  write tx/orch %.2f  jit ms %d  gc ms %d  alloc KB/orch %.1f%n",
                    orchestrationSlots, activitySlots, measured / (wall / 1e9), cpu / 1e6 / measured, transactions / (double) measured,
                    jitMillis, gcMillis, allocated / 1024.0 / measured);
            System.out.println("cpu ms per 1,000 orchestrations by thread: "
                    + ThreadGroupsCpu.describe(threadTicks, threadTicksAfter, measured / 1000.0));
        } finally {
            state.close();
        }
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Bytes allocated so far by the live threads; the engine's workers are pooled, so they live through the measured part. */
    private static long allocatedBytes() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, bytes);
        }
        return total;
    }

    private static void run(FanOutState state, int orchestrations) {
        for (int done = 0; done < orchestrations; done += FanOutBenchmark.BATCH) {
            state.runBatch(FanOutBenchmark.BATCH);
        }
    }
}
