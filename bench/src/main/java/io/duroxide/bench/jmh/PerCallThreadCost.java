package io.duroxide.bench.jmh;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The calls of {@link PerCallBenchmark} measured by the calling thread's own CPU time and allocated bytes
 * ({@code com.sun.management.ThreadMXBean}), next to JMH's wall-clock figures: on a loaded machine a benchmark thread
 * waits for a core most of the time, which inflates JMH's ns/op many times over, and {@code -prof gc} counts every
 * thread's allocation (the agent's pollers too) against the calls. Neither moves these figures. Round 0 warms up.
 * The variant follows the JVM: with the agent attached it is {@link PerCall2AgentOn}, else {@link PerCall0NoAgent}.
 *
 * <pre>java [-javaagent:agent/target/duroxide-agent.jar -Dduroxide.metrics.port=0] -cp bench/target/benchmarks.jar \
 *     io.duroxide.bench.jmh.PerCallThreadCost LABEL [ROUNDS]</pre>
 */
public final class PerCallThreadCost {
    private PerCallThreadCost() {}

    private static final int PROVIDER_CALLS = 5_000_000;
    private static final int ACTIVITY_CALLS = 500_000;

    public static void main(String[] args) throws Exception {
        String label = args.length > 0 ? args[0] : "run";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        PerCallBenchmark calls = jvmArgs.stream().anyMatch(a -> a.startsWith("-javaagent:")) ? new PerCall2AgentOn() : new PerCall0NoAgent();
        calls.setUp();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round <= rounds; round++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long bytes = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < PROVIDER_CALLS; i++) {
                calls.providerCall();
            }
            print(label, round, "providerCall", threads, cpu, bytes, PROVIDER_CALLS);
            cpu = threads.getCurrentThreadCpuTime();
            bytes = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ACTIVITY_CALLS; i++) {
                calls.activityInvoke();
            }
            print(label, round, "activityInvoke", threads, cpu, bytes, ACTIVITY_CALLS);
        }
        System.exit(0); // without waiting for threads the agent may have started
    }

    private static void print(String label, int round, String call, com.sun.management.ThreadMXBean threads, long cpu0, long bytes0,
            int n) {
        if (round > 0) {
            System.out.printf("%s round %d %s: %.1f cpu ns/op, %.3f B/op%n", label, round, call,
                    (double) (threads.getCurrentThreadCpuTime() - cpu0) / n, (double) (threads.getCurrentThreadAllocatedBytes() - bytes0) / n);
        }
    }
}
