package io.duroxide.provider;

import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent;
import java.util.List;

/**
 * Everything one orchestration turn changes, committed atomically by {@link Provider#commitTurn}:
 * all of it or none of it.
 *
 * @param executionId the execution the new events belong to
 * @param newEvents events to append after the existing history, in order
 * @param status the instance status after the turn
 * @param version the version pinned by this execution (set on its first turn)
 * @param output the result JSON when completed
 * @param failure failure details when failed or cancelled
 * @param customStatusChanged whether {@code customStatus} should be written
 * @param activities activity attempts to put in the worker queue
 * @param messages messages for orchestrator queues: timers, children, parent, this instance
 * @param continueAsNewExecutionId the next execution to create when this turn continued as new, else null
 * @param terminal whether this turn ends the execution; outstanding activity work of the instance is then removed
 */
public record TurnWrite(
        long executionId,
        List<HistoryEvent> newEvents,
        RuntimeStatus status,
        String name,
        String version,
        String output,
        FailureDetails failure,
        boolean customStatusChanged,
        String customStatus,
        List<ActivityWorkItem> activities,
        List<TimedMessage> messages,
        Long continueAsNewExecutionId,
        boolean terminal) {

    public TurnWrite {
        newEvents = List.copyOf(newEvents);
        activities = List.copyOf(activities);
        messages = List.copyOf(messages);
    }
}
