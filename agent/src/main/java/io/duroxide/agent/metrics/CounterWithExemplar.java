package io.duroxide.agent.metrics;

import io.micrometer.core.instrument.Counter;

/** A counter and its exemplar slot ({@code exemplar} null when exemplars are off). */
record CounterWithExemplar(Counter counter, ExemplarSlots exemplar) {
    /** @param attempt the activity attempt, or {@link ExemplarSlots#NO_ATTEMPT} */
    void increment(String instanceId, long executionId, int attempt) {
        counter.increment();
        if (exemplar != null) {
            exemplar.offer(1, instanceId, executionId, attempt);
        }
    }
}
