package io.duroxide.runtime;

import java.time.Duration;

/**
 * How long a turn may run activities here ({@link LocalSteps}) before the rest go through the queue. Two limits,
 * for two different costs:
 * <ul>
 *   <li>{@code perTurn}: steps that follow one another (each scheduled after the previous one completed) lose
 *       nothing by running here, but the turn holds its instance meanwhile (an event or a cancellation that arrives
 *       waits for the turn's commit) and a crash redoes them all. Loose, so that a chain of short steps stays one
 *       turn when the machine is busy and every attempt waits longer for a CPU.</li>
 *   <li>{@code perBatch}: steps scheduled together (a fan-out) run here one after another, where the queue would
 *       run them side by side in the activity slots. Tight: past it, the rest of the batch goes through the queue.</li>
 *   <li>{@code probeWait}: how long a turn that meets an activity while its first attempt (the probe) runs waits
 *       for that attempt's time before deciding. {@link StepTiming#LOCAL_MAX_MEAN} by default: a probe still running
 *       then shows the activity not short.</li>
 * </ul>
 * The first step of a batch always runs here while the turn is within its limit.
 */
record LocalStepBudget(Duration perTurn, Duration perBatch, Duration probeWait) {
    static final LocalStepBudget DEFAULT = new LocalStepBudget(Duration.ofSeconds(1), Duration.ofMillis(100),
            StepTiming.LOCAL_MAX_MEAN);

    /**
     * Whether the step at {@code indexInBatch} of a batch may start here at {@code nowNanos}, in a turn and a batch
     * begun at the given {@link System#nanoTime()} readings.
     */
    boolean allows(long turnStartedNanos, long batchStartedNanos, int indexInBatch, long nowNanos) {
        if (nowNanos - turnStartedNanos > perTurn.toNanos()) {
            return false;
        }
        return indexInBatch == 0 || nowNanos - batchStartedNanos <= perBatch.toNanos();
    }
}
