package io.duroxide.agent.bootstrap;

/** Receives finished activity attempts. JDK types only (lives in the bootstrap loader). */
public interface ActivitySink {
    /**
     * @param instanceId the orchestration instance that scheduled the activity, with {@code executionId} its execution
     * @param failureType null for success, else the engine's ActivityOutcome.FailureType name
     */
    void attempt(
            String instanceId,
            long executionId,
            String activityName,
            int retryAttempt,
            String failureType,
            boolean willRetry,
            String failureKind,
            String errorType,
            String errorCode,
            boolean retryable,
            String errorMessage,
            long durationNanos);
}
