package io.duroxide.runtime;

import java.time.Duration;

/**
 * How long one activity's attempts take in this process (a moving mean) and whether it is short enough to run in
 * the turn that schedules it ({@link LocalSteps}). An activity becomes local when its mean falls to
 * {@link #LOCAL_MAX_MEAN} and stays local until its mean exceeds {@link #STAY_LOCAL_MAX_MEAN}: on a busy machine
 * the attempts of a short activity take longer for a while (they wait for a CPU), and one threshold would then
 * send the steps of the workflows in flight through the queue just when that costs most, and back again.
 *
 * <p>The mean is over time, not over attempts: each attempt moves it by the share of {@link #MEMORY} that passed
 * since the previous one. A pause that stalls every slot at once (a garbage collection, a moment without a CPU)
 * makes the attempts in flight slow together; counted one by one, the dozens of them would outvote the seconds
 * before and send a short activity through the queue. An activity that really slows down moves the mean within
 * about a {@link #MEMORY}; one that runs rarely is judged by its latest attempt.
 *
 * @param updatedAtNanos when the latest attempt was counted ({@link System#nanoTime()})
 */
record StepTiming(long meanNanos, boolean local, long updatedAtNanos) {
    /** At most this on average, a step costs less than the four transactions of the way through the queue. */
    static final Duration LOCAL_MAX_MEAN = Duration.ofMillis(20);
    /** A local activity goes back to the queue when its mean exceeds this. */
    static final Duration STAY_LOCAL_MAX_MEAN = Duration.ofMillis(50);
    /** How far back the mean looks. */
    static final Duration MEMORY = Duration.ofSeconds(1);

    /**
     * The timing after a first attempt that took {@code nanos}. One that ran in a turn (the probe) makes the activity
     * local already, so it is judged by {@link #STAY_LOCAL_MAX_MEAN}: in a fresh process the first attempt also pays
     * for loading the activity's code.
     */
    static StepTiming first(long nanos, boolean ranInTurn, long nowNanos) {
        long limit = (ranInTurn ? STAY_LOCAL_MAX_MEAN : LOCAL_MAX_MEAN).toNanos();
        return new StepTiming(nanos, nanos <= limit, nowNanos);
    }

    /** The timing after one more attempt that took {@code nanos}, counted at {@code nowNanos}. */
    StepTiming next(long nanos, long nowNanos) {
        double weight = 1 - Math.exp(-(double) Math.max(0, nowNanos - updatedAtNanos) / MEMORY.toNanos());
        long mean = meanNanos + Math.round((nanos - meanNanos) * weight);
        long limit = (local ? STAY_LOCAL_MAX_MEAN : LOCAL_MAX_MEAN).toNanos();
        return new StepTiming(mean, mean <= limit, nowNanos);
    }
}
