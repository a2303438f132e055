package io.duroxide.runtime;

import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent.TaskScheduled;
import java.util.List;

/**
 * What re-executing an orchestration over its history decided.
 *
 * @param newActions work scheduled beyond what history holds (only when the execution continues)
 * @param crash the {@link Error} that escaped user code when {@code kind} is CRASHED
 */
record ReplayResult(
        Kind kind,
        String output,
        FailureDetails failure,
        String continueAsNewInput,
        List<TaskScheduled> newActions,
        boolean customStatusSet,
        String customStatusJson,
        Throwable crash) {

    enum Kind {
        CONTINUES,
        COMPLETED,
        FAILED,
        CONTINUED_AS_NEW,
        /** User code threw an Error: the turn is abandoned and retried, and poisons if it keeps crashing. */
        CRASHED
    }
}
