package io.duroxide.history;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One durable fact in an execution's append-only history. Events that complete a scheduled task
 * carry the {@code taskId} of the schedule event they answer; task ids are allocated in the order
 * the orchestration code schedules work, which is what makes replay match them again.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(HistoryEvent.ExecutionStarted.class),
    @JsonSubTypes.Type(HistoryEvent.ExecutionCompleted.class),
    @JsonSubTypes.Type(HistoryEvent.ExecutionFailed.class),
    @JsonSubTypes.Type(HistoryEvent.ExecutionContinuedAsNew.class),
    @JsonSubTypes.Type(HistoryEvent.ExecutionCancelRequested.class),
    @JsonSubTypes.Type(HistoryEvent.ExecutionCancelled.class),
    @JsonSubTypes.Type(HistoryEvent.ExecutionSuspended.class),
    @JsonSubTypes.Type(HistoryEvent.ExecutionResumed.class),
    @JsonSubTypes.Type(HistoryEvent.ActivityScheduled.class),
    @JsonSubTypes.Type(HistoryEvent.ActivityCompleted.class),
    @JsonSubTypes.Type(HistoryEvent.ActivityFailed.class),
    @JsonSubTypes.Type(HistoryEvent.TimerCreated.class),
    @JsonSubTypes.Type(HistoryEvent.TimerFired.class),
    @JsonSubTypes.Type(HistoryEvent.SubOrchestrationScheduled.class),
    @JsonSubTypes.Type(HistoryEvent.SubOrchestrationCompleted.class),
    @JsonSubTypes.Type(HistoryEvent.SubOrchestrationFailed.class),
    @JsonSubTypes.Type(HistoryEvent.EventRaised.class)
})
public sealed interface HistoryEvent {

    /** Epoch milliseconds at which the turn that appended this event started. */
    long timestampMs();

    /** Events that schedule work and open a task id. */
    sealed interface TaskScheduled extends HistoryEvent {
        int taskId();
    }

    /** Events that deliver the result of a scheduled task. */
    sealed interface TaskCompletion extends HistoryEvent {
        int taskId();
    }

    /** Events that end an execution. */
    sealed interface Terminal extends HistoryEvent {}

    record ExecutionStarted(
            long timestampMs,
            String name,
            String version,
            String input,
            InitiatedBy initiatedBy,
            ParentRef parent)
            implements HistoryEvent {}

    record ExecutionCompleted(long timestampMs, String output) implements Terminal {}

    record ExecutionFailed(long timestampMs, FailureDetails failure) implements Terminal {}

    record ExecutionContinuedAsNew(long timestampMs, String input) implements Terminal {}

    record ExecutionCancelRequested(long timestampMs, String reason) implements HistoryEvent {}

    record ExecutionCancelled(long timestampMs, String reason) implements Terminal {}

    record ExecutionSuspended(long timestampMs, String reason) implements HistoryEvent {}

    record ExecutionResumed(long timestampMs, String reason) implements HistoryEvent {}

    record ActivityScheduled(
            long timestampMs,
            int taskId,
            String name,
            String input,
            String tag,
            int attempt,
            int maxAttempts,
            long timeoutMs)
            implements TaskScheduled {}

    /**
     * @param run how the attempt ran, as the worker that ran it saw it; null in histories written before it was
     *     recorded, and when no worker ran it (a work item the store failed as poison)
     */
    record ActivityCompleted(long timestampMs, int taskId, String result, AttemptRun run) implements TaskCompletion {
        public ActivityCompleted(long timestampMs, int taskId, String result) {
            this(timestampMs, taskId, result, null);
        }
    }

    /** @param run see {@link ActivityCompleted#run()} */
    record ActivityFailed(long timestampMs, int taskId, FailureDetails failure, AttemptRun run) implements TaskCompletion {
        public ActivityFailed(long timestampMs, int taskId, FailureDetails failure) {
            this(timestampMs, taskId, failure, null);
        }
    }

    record TimerCreated(long timestampMs, int taskId, long fireAtMs) implements TaskScheduled {}

    record TimerFired(long timestampMs, int taskId, long fireAtMs) implements TaskCompletion {}

    record SubOrchestrationScheduled(
            long timestampMs, int taskId, String name, String version, String instanceId, String input)
            implements TaskScheduled {}

    record SubOrchestrationCompleted(long timestampMs, int taskId, String result) implements TaskCompletion {}

    record SubOrchestrationFailed(long timestampMs, int taskId, FailureDetails failure) implements TaskCompletion {}

    record EventRaised(long timestampMs, String name, String data) implements HistoryEvent {}
}
