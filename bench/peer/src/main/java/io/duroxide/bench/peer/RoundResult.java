package io.duroxide.bench.peer;

import java.util.List;

/**
 * One engine's round: workflows per second from the first start to the last completion, start-to-completion
 * percentiles, and CPU per workflow in the engine's processes and in its PostgreSQL backends.
 */
record RoundResult(double perSecond, double p50Ms, double p99Ms, double jvmCpuMsPerWorkflow, double pgCpuMsPerWorkflow) {

    static RoundResult of(List<long[]> spans, long jvmCpuNanos, long pgCpuNanos) {
        long first = spans.stream().mapToLong(s -> s[0]).min().orElseThrow();
        long last = spans.stream().mapToLong(s -> s[1]).max().orElseThrow();
        long[] latencies = spans.stream().mapToLong(s -> s[1] - s[0]).sorted().toArray();
        int n = latencies.length;
        return new RoundResult(n * 1000.0 / Math.max(1, last - first), percentile(latencies, 0.50),
                percentile(latencies, 0.99), jvmCpuNanos / 1e6 / n, pgCpuNanos / 1e6 / n);
    }

    private static double percentile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    /** The mean of each figure over the rounds. */
    static RoundResult mean(List<RoundResult> rounds) {
        return new RoundResult(avg(rounds, RoundResult::perSecond), avg(rounds, RoundResult::p50Ms), avg(rounds, RoundResult::p99Ms),
                avg(rounds, RoundResult::jvmCpuMsPerWorkflow), avg(rounds, RoundResult::pgCpuMsPerWorkflow));
    }

    private static double avg(List<RoundResult> rounds, java.util.function.ToDoubleFunction<RoundResult> f) {
        return rounds.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    String row() {
        return String.format("%8.1f %9.0f %9.0f %9.2f %9.2f", perSecond, p50Ms, p99Ms, jvmCpuMsPerWorkflow, pgCpuMsPerWorkflow);
    }

    static String header() {
        return String.format("%8s %9s %9s %9s %9s", "wf/s", "p50_ms", "p99_ms", "jvm_ms/wf", "pg_ms/wf");
    }
}
