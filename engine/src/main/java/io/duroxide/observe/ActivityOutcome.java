package io.duroxide.observe;

import io.duroxide.history.FailureDetails;

/** The result of one activity attempt, returned by {@code runtime.ActivityInvoker#invoke(ActivityInvocation)}. */
public sealed interface ActivityOutcome {

    /**
     * Wall time of the attempt inside {@code runtime.ActivityInvoker#invoke(ActivityInvocation)} (System.nanoTime):
     * decoding the input, running the activity, encoding its output. The worker's lease-ahead reads it.
     */
    long durationNanos();

    /**
     * @param output the activity's result as JSON
     * @param durationNanos see {@link ActivityOutcome#durationNanos()}
     */
    record Succeeded(String output, long durationNanos) implements ActivityOutcome {}

    /**
     * @param type how it failed
     * @param failure the persisted failure details
     * @param willRetry whether the orchestration's retry policy will schedule another attempt
     * @param durationNanos see {@link ActivityOutcome#durationNanos()}
     */
    record Failed(FailureType type, FailureDetails failure, boolean willRetry, long durationNanos) implements ActivityOutcome {}

    enum FailureType {
        /** The activity threw. */
        APPLICATION_ERROR,
        /** The runtime could not run it: unknown name, malformed input, poison. */
        INFRASTRUCTURE_ERROR,
        /** It exceeded its per-attempt timeout. */
        TIMEOUT,
        /** Its orchestration ended or the runtime shut down while it ran. */
        CANCELLED
    }
}
