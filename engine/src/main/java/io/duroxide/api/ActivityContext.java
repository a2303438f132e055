package io.duroxide.api;

/** What an activity knows about the invocation that is running it. */
public interface ActivityContext {
    String instanceId();

    long executionId();

    String orchestrationName();

    String activityName();

    /** The routing tag the orchestration gave this call, or null. */
    String tag();

    /** 1 for the first attempt; grows with each retry by the orchestration's retry policy. */
    int attemptNumber();

    /**
     * True once the work is no longer wanted: its orchestration ended or was cancelled, the attempt
     * timed out, or the runtime is shutting down. Long activities should poll it and stop early.
     */
    boolean isCancelled();
}
