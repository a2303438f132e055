package io.duroxide.runtime;

import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.ActivityCompleted;
import io.duroxide.history.HistoryEvent.ActivityFailed;
import io.duroxide.history.HistoryEvent.ActivityScheduled;
import io.duroxide.history.HistoryEvent.SubOrchestrationScheduled;
import io.duroxide.history.HistoryEvent.TimerCreated;
import io.duroxide.history.HistoryEvent.TimerFired;

/** Human-readable names of history steps for nondeterminism reports. */
final class Describe {
    private Describe() {}

    static String event(HistoryEvent event) {
        if (event instanceof ActivityScheduled a) {
            return "activity '" + a.name() + "' (task " + a.taskId() + ")";
        }
        if (event instanceof TimerCreated t) {
            return "timer (task " + t.taskId() + ")";
        }
        if (event instanceof SubOrchestrationScheduled s) {
            return "sub-orchestration '" + s.name() + "' (task " + s.taskId() + ")";
        }
        return event.getClass().getSimpleName();
    }

    static String expectedScheduleFor(HistoryEvent.TaskCompletion completion) {
        if (completion instanceof ActivityCompleted || completion instanceof ActivityFailed) {
            return "activity";
        }
        return completion instanceof TimerFired ? "timer" : "sub-orchestration";
    }
}
