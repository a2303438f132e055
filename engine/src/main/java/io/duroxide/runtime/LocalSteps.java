package io.duroxide.runtime;

import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityWorkItem;
import java.util.List;

/**
 * Runs activities in the orchestration slot whose turn scheduled them, so that their results join the
 * same turn's commit instead of going through the activity queue (a commit, a fetch, a completion and
 * another fetch of the instance for every step). The same idea as Temporal's local activities, applied
 * by the runtime to activities it has seen to be short. The guarantees stay: nothing of the turn is durable
 * until its one atomic commit, so a crash before it redoes the turn and runs the activities again (at least
 * once); the history holds the same scheduled and completed events as through the queue, so replay cannot tell
 * the difference; each attempt is still one {@link ActivityInvoker#invoke} call, through the activity worker's
 * {@link ActivityWorker#process}.
 */
interface LocalSteps {
    /** Runs nothing: every activity goes through the queue. */
    LocalSteps NONE = (items, turnStartedNanos) -> List.of();

    /**
     * Runs here those of {@code items} that may run here, in order, and returns their completions
     * ({@link HistoryEvent.ActivityCompleted} or {@link HistoryEvent.ActivityFailed}, with the item's task id);
     * an item left out goes through the queue as usual. Stops when the turn, begun at
     * {@code turnStartedNanos} ({@link System#nanoTime()}), has held its instance long enough.
     */
    List<HistoryEvent> run(List<ActivityWorkItem> items, long turnStartedNanos);
}
