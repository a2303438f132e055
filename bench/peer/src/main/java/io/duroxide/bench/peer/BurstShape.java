package io.duroxide.bench.peer;

import java.util.List;

/**
 * How a round's burst drained: the drain time (first start to last completion), the median start-to-completion
 * as a fraction of it, and when 10 %, 50 % and 90 % of the workflows had completed, as fractions of it counted
 * from the first start. Completions that come steadily from the start of the drain give about 0.1/0.5/0.9;
 * an engine that takes every instance's turns in rotation finishes them all near the end (0.9 and above).
 * When the last workflow was started, as a fraction of the drain too, bounds those fractions: no engine can
 * finish workflows faster than they are started, so completions that follow the starts are as steady as it gets.
 */
record BurstShape(double drainMs, double lastStarted, double medianOfDrain, double tenthDone, double halfDone, double ninetiethDone) {

    static BurstShape of(List<Span> spans) {
        long first = spans.stream().mapToLong(Span::startMs).min().orElseThrow();
        long last = spans.stream().mapToLong(Span::endMs).max().orElseThrow();
        double drain = Math.max(1, last - first); // a round that drained within a millisecond still divides
        long[] latencies = spans.stream().mapToLong(Span::latencyMs).sorted().toArray();
        long[] ends = spans.stream().mapToLong(Span::endMs).sorted().toArray();
        long lastStart = spans.stream().mapToLong(Span::startMs).max().orElseThrow();
        return new BurstShape(drain, (lastStart - first) / drain, percentile(latencies, 0.50) / drain, (percentile(ends, 0.10) - first) / drain,
                (percentile(ends, 0.50) - first) / drain, (percentile(ends, 0.90) - first) / drain);
    }

    /** Nearest rank: the smallest value that at least {@code q} of them do not exceed. */
    static double percentile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    String row() {
        return String.format("%8.1f %7.2f %7.2f %14s", drainMs / 1000, lastStarted, medianOfDrain,
                String.format("%.2f/%.2f/%.2f", tenthDone, halfDone, ninetiethDone));
    }

    static String header() {
        return String.format("%8s %7s %7s %14s", "drain_s", "started", "p50/drn", "done@10/50/90%");
    }
}
