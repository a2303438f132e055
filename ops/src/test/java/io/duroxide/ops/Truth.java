package io.duroxide.ops;

import io.duroxide.agenttests.GroundTruth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the SQLite stores of one run say (one store per Prometheus job), aggregated the way the queries
 * aggregate. Tuples are GroundTruth's: completions = name|version|status|turns, failures =
 * name|version|error_type, failure_kinds = name|KIND, executions = activity|outcome|attempt,
 * activity_errors = activity|error_type|code|retryable, starts = name|version|initiated_by.
 */
final class Truth {
    static final Predicate<String[]> ALL = t -> true;

    final Map<String, GroundTruth> byJob;

    Truth(Map<String, GroundTruth> byJob) {
        this.byJob = byJob;
    }

    /** Counts of one metric over every store, keyed by the tuple positions kept, joined with '|'. */
    Map<String, Double> counts(String metric, Predicate<String[]> filter, int... keep) {
        Map<String, Double> out = new TreeMap<>();
        for (GroundTruth t : byJob.values()) {
            for (Map.Entry<String, Double> e : t.of(metric).entrySet()) {
                String[] tuple = e.getKey().split("\\|", -1);
                if (filter.test(tuple)) {
                    List<String> k = new ArrayList<>();
                    for (int i : keep) {
                        k.add(tuple[i]);
                    }
                    out.merge(String.join("|", k), e.getValue(), Double::sum);
                }
            }
        }
        return out;
    }

    Set<String> keys(String metric, Predicate<String[]> filter, int... keep) {
        return counts(metric, filter, keep).keySet();
    }

    double total(String metric, Predicate<String[]> filter) {
        return counts(metric, filter).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Successful completions / all completions of the orchestrations selected. */
    double successRate(Predicate<String[]> completions) {
        return total("completions", completions.and(t -> t[2].equals("success"))) / total("completions", completions);
    }

    static Predicate<String[]> named(String orchestration) {
        return t -> t[0].equals(orchestration);
    }

    /** The stores' end-to-end durations of the orchestration's ended executions, ascending. */
    List<Double> durations(String orchestration) {
        List<Double> all = new ArrayList<>();
        for (GroundTruth t : byJob.values()) {
            all.addAll(t.durationSeconds.getOrDefault(orchestration, List.of()));
        }
        if (all.isEmpty()) {
            throw new AssertionError("no durations of " + orchestration + " in the stores");
        }
        Collections.sort(all);
        return all;
    }

    /** Nearest-rank quantile of the orchestration's durations. */
    double durationQuantile(String orchestration, double q) {
        List<Double> all = durations(orchestration);
        return all.get(Math.max(0, Math.min(all.size() - 1, (int) Math.ceil(q * all.size()) - 1)));
    }

    long queueDepth(String workerType, GroundTruth t) {
        return workerType.equals("orchestration") ? t.queueDepths.orchestratorReady() : t.queueDepths.activityReady();
    }

    double activeInstances() {
        return byJob.values().stream().flatMap(t -> t.active.values().stream()).mapToDouble(Double::doubleValue).sum();
    }
}
