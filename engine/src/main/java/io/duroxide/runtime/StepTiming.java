package io.duroxide.runtime;

import java.time.Duration;

/**
 * How long one activity's attempts take in this process (a moving mean) and whether it is short enough to run in
 * the turn that schedules it ({@link LocalSteps}). An activity becomes local when its mean falls to
 * {@link #LOCAL_MAX_MEAN} and stays local until its mean exceeds {@link #STAY_LOCAL_MAX_MEAN}: on a busy machine
 * the attempts of a short activity take longer for a while (they wait for a CPU), and one threshold would then
 * send the steps of the workflows in flight through the queue just when that costs most, and back again.
 */
record StepTiming(long meanNanos, boolean local) {
    /** At most this on average, a step costs less than the four transactions of the way through the queue. */
    static final Duration LOCAL_MAX_MEAN = Duration.ofMillis(20);
    /** A local activity goes back to the queue when its mean exceeds this. */
    static final Duration STAY_LOCAL_MAX_MEAN = Duration.ofMillis(50);

    /** The timing after a first attempt that took {@code nanos}. */
    static StepTiming first(long nanos) {
        return new StepTiming(nanos, nanos <= LOCAL_MAX_MEAN.toNanos());
    }

    /** The timing after one more attempt that took {@code nanos}: the mean moves an eighth of the way to it. */
    StepTiming next(long nanos) {
        long mean = meanNanos + (nanos - meanNanos) / 8;
        long limit = (local ? STAY_LOCAL_MAX_MEAN : LOCAL_MAX_MEAN).toNanos();
        return new StepTiming(mean, mean <= limit);
    }
}
