package io.duroxide.agent.metrics;

import io.micrometer.core.instrument.Clock;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The recent observations one series shows as its OpenMetrics exemplars: one slot per histogram bucket
 * (a counter has a single slot), each holding the instance, execution and attempt of an observation that
 * fell in that bucket. A slot is replaced at most once per {@link #REPLACE_AFTER_MILLIS}: an observation
 * reads the clock field and the slot and, most of the time, stops there, so the recording path allocates
 * nothing in steady state (one small object per bucket and second) and threads do not fight over the slot.
 */
final class ExemplarSlots {
    /** How long a slot keeps its observation before the next one in that bucket replaces it. */
    static final long REPLACE_AFTER_MILLIS = 1000;

    static final String INSTANCE_ID = "instance_id";
    static final String EXECUTION_ID = "execution_id";
    static final String ATTEMPT = "attempt";

    /**
     * OpenMetrics limits an exemplar's label names and values to 128 characters together; with the names,
     * the longest execution id (19 digits) and the longest attempt (10 digits) that leaves this much for the
     * instance id. Observations of longer ids are not kept (an exemplar Prometheus would refuse helps no one).
     */
    static final int MAX_INSTANCE_ID_LENGTH = 128 - INSTANCE_ID.length() - EXECUTION_ID.length() - ATTEMPT.length() - 19 - 10;

    /** No attempt label (orchestrations). */
    static final int NO_ATTEMPT = -1;

    /** One kept observation; {@code value} in the unit the series exposes (seconds, or 1 for a counter). */
    private record Observation(double value, String instanceId, long executionId, int attempt, long timestampMillis) {}

    private final double[] upperBounds;
    private final AtomicReferenceArray<Observation> slots;
    private final Clock clock;

    /** @param upperBounds the histogram's finite bucket bounds, ascending (the {@code +Inf} bucket is added); none for a counter */
    ExemplarSlots(double[] upperBounds, Clock clock) {
        this.upperBounds = upperBounds.clone();
        this.slots = new AtomicReferenceArray<>(upperBounds.length + 1);
        this.clock = clock;
    }

    /** Keeps this observation as its bucket's exemplar unless the bucket's current one is still recent. */
    void offer(double value, String instanceId, long executionId, int attempt) {
        if (instanceId == null || instanceId.length() > MAX_INSTANCE_ID_LENGTH) {
            return;
        }
        int bucket = bucket(value);
        long now = clock.wallTime();
        Observation held = slots.get(bucket);
        if (held == null || now - held.timestampMillis >= REPLACE_AFTER_MILLIS) {
            slots.set(bucket, new Observation(value, instanceId, executionId, attempt, now));
        }
    }

    /** The first bucket whose upper bound is at least {@code value}, as the histogram counts it. */
    private int bucket(double value) {
        int i = 0;
        while (i < upperBounds.length && value > upperBounds[i]) {
            i++;
        }
        return i;
    }

    /** The kept observations as exemplars (built at scrape time). */
    Exemplars exemplars() {
        List<Exemplar> out = new ArrayList<>(slots.length());
        for (int i = 0; i < slots.length(); i++) {
            Observation o = slots.get(i);
            if (o != null) {
                out.add(exemplar(o));
            }
        }
        return Exemplars.of(out);
    }

    /** A counter's exemplar (its only slot), or null before its first observation. */
    Exemplar counterExemplar() {
        Observation o = slots.get(0);
        return o == null ? null : exemplar(o);
    }

    private static Exemplar exemplar(Observation o) {
        Labels labels = o.attempt == NO_ATTEMPT
                ? Labels.of(INSTANCE_ID, o.instanceId, EXECUTION_ID, Long.toString(o.executionId))
                : Labels.of(INSTANCE_ID, o.instanceId, EXECUTION_ID, Long.toString(o.executionId), ATTEMPT,
                        Integer.toString(o.attempt));
        return new Exemplar(o.value, labels, o.timestampMillis);
    }
}
