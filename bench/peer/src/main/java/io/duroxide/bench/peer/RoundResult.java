package io.duroxide.bench.peer;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One engine's round: workflows per second from the first start to the last completion, start-to-completion
 * percentiles, CPU per workflow in the engine's processes and in its PostgreSQL backends, and the burst's shape.
 */
record RoundResult(double perSecond, double p50Ms, double p99Ms, double jvmCpuMsPerWorkflow, double pgCpuMsPerWorkflow,
        BurstShape shape) {

    static RoundResult of(List<Span> spans, long jvmCpuNanos, long pgCpuNanos) {
        BurstShape shape = BurstShape.of(spans);
        long[] latencies = spans.stream().mapToLong(Span::latencyMs).sorted().toArray();
        int n = latencies.length;
        return new RoundResult(n * 1000.0 / shape.drainMs(), BurstShape.percentile(latencies, 0.50),
                BurstShape.percentile(latencies, 0.99), jvmCpuNanos / 1e6 / n, pgCpuNanos / 1e6 / n, shape);
    }

    /** The mean of each figure over the rounds. */
    static RoundResult mean(List<RoundResult> rounds) {
        return new RoundResult(avg(rounds, RoundResult::perSecond), avg(rounds, RoundResult::p50Ms), avg(rounds, RoundResult::p99Ms),
                avg(rounds, RoundResult::jvmCpuMsPerWorkflow), avg(rounds, RoundResult::pgCpuMsPerWorkflow),
                new BurstShape(avg(rounds, r -> r.shape().drainMs()), avg(rounds, r -> r.shape().lastStarted()),
                        avg(rounds, r -> r.shape().medianOfDrain()),
                        avg(rounds, r -> r.shape().tenthDone()), avg(rounds, r -> r.shape().halfDone()),
                        avg(rounds, r -> r.shape().ninetiethDone())));
    }

    private static double avg(List<RoundResult> rounds, ToDoubleFunction<RoundResult> f) {
        return rounds.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    String row() {
        return String.format("%8.1f %9.0f %9.0f %9.2f %9.2f %s", perSecond, p50Ms, p99Ms, jvmCpuMsPerWorkflow,
                pgCpuMsPerWorkflow, shape.row());
    }

    static String header() {
        return String.format("%8s %9s %9s %9s %9s %s", "wf/s", "p50_ms", "p99_ms", "jvm_ms/wf", "pg_ms/wf", BurstShape.header());
    }
}
