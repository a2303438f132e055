package io.duroxide.agent.metrics;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** A duration histogram and the exemplar slots of its buckets ({@code exemplars} null when they are off). */
record TimerWithExemplars(Timer timer, ExemplarSlots exemplars) {
    /** @param attempt the activity attempt, or {@link ExemplarSlots#NO_ATTEMPT} */
    void record(long nanos, String instanceId, long executionId, int attempt) {
        timer.record(nanos, TimeUnit.NANOSECONDS);
        if (exemplars != null) {
            exemplars.offer(nanos / 1e9, instanceId, executionId, attempt);
        }
    }
}
