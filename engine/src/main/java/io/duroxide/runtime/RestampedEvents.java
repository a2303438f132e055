package io.duroxide.runtime;

import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.*;

/** Copies of events with another timestamp: a turn stamps what it appends with its own time. */
final class RestampedEvents {
    private RestampedEvents() {}

    static HistoryEvent stamped(HistoryEvent e, long ts) {
        if (e.timestampMs() == ts) {
            return e;
        }
        if (e instanceof ExecutionStarted x) {
            return new ExecutionStarted(ts, x.name(), x.version(), x.input(), x.initiatedBy(), x.parent());
        } else if (e instanceof ExecutionCompleted x) {
            return new ExecutionCompleted(ts, x.output());
        } else if (e instanceof ExecutionFailed x) {
            return new ExecutionFailed(ts, x.failure());
        } else if (e instanceof ExecutionContinuedAsNew x) {
            return new ExecutionContinuedAsNew(ts, x.input());
        } else if (e instanceof ExecutionCancelRequested x) {
            return new ExecutionCancelRequested(ts, x.reason());
        } else if (e instanceof ExecutionCancelled x) {
            return new ExecutionCancelled(ts, x.reason());
        } else if (e instanceof ExecutionSuspended x) {
            return new ExecutionSuspended(ts, x.reason());
        } else if (e instanceof ExecutionResumed x) {
            return new ExecutionResumed(ts, x.reason());
        } else if (e instanceof ActivityScheduled x) {
            return new ActivityScheduled(ts, x.taskId(), x.name(), x.input(), x.tag(), x.attempt(), x.maxAttempts(), x.timeoutMs());
        } else if (e instanceof ActivityCompleted x) {
            return new ActivityCompleted(ts, x.taskId(), x.result(), x.run());
        } else if (e instanceof ActivityFailed x) {
            return new ActivityFailed(ts, x.taskId(), x.failure(), x.run());
        } else if (e instanceof TimerCreated x) {
            return new TimerCreated(ts, x.taskId(), x.fireAtMs());
        } else if (e instanceof TimerFired x) {
            return new TimerFired(ts, x.taskId(), x.fireAtMs());
        } else if (e instanceof SubOrchestrationScheduled x) {
            return new SubOrchestrationScheduled(ts, x.taskId(), x.name(), x.version(), x.instanceId(), x.input());
        } else if (e instanceof SubOrchestrationCompleted x) {
            return new SubOrchestrationCompleted(ts, x.taskId(), x.result());
        } else if (e instanceof SubOrchestrationFailed x) {
            return new SubOrchestrationFailed(ts, x.taskId(), x.failure());
        } else if (e instanceof EventRaised x) {
            return new EventRaised(ts, x.name(), x.data());
        }
        throw new IllegalArgumentException("unknown event " + e);
    }
}
