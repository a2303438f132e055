package io.duroxide.runtime;

import io.duroxide.history.FailureDetails;

/** The result of one activity attempt, returned by {@link ActivityInvoker#invoke(ActivityInvocation)}. */
public sealed interface ActivityOutcome {

    record Succeeded(String output) implements ActivityOutcome {}

    /**
     * @param type how it failed
     * @param failure the persisted failure details
     * @param willRetry whether the orchestration's retry policy will schedule another attempt
     */
    record Failed(FailureType type, FailureDetails failure, boolean willRetry) implements ActivityOutcome {}

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
