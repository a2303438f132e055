package io.duroxide.cli;

import io.duroxide.cli.InstanceView.FailureView;
import java.time.Instant;
import java.util.List;

/**
 * One execution's history as a timeline, and what the instance waits for now: {@code history}'s model, printed
 * as it is by {@code --json} (field names are a contract with scripts: new ones may be added, none renamed).
 *
 * @param entries one per history event, in history order
 * @param waitingFor what the instance waits for now; {@code nothing} once it has ended
 */
record Timeline(String instanceId, String name, long executionId, String status, List<Entry> entries,
        List<Wait> waitingFor) {

    /**
     * @param at when the turn that recorded the event started (every event of a turn has its time)
     * @param turn the turn's number in this execution, counted from the events' times
     * @param event the history event's type, e.g. {@code ActivityFailed}
     * @param detail the event in words, as the human output shows it
     * @param activity for an activity's schedule and its result: the attempt and how it ran
     * @param fireAt for a timer, when it fires
     */
    record Entry(Instant at, int turn, String event, Integer taskId, String name, String detail, Attempt activity,
            FailureView failure, Instant fireAt, String childInstanceId) {}

    /**
     * One attempt of an activity. {@code startedAt}, {@code finishedAt}, {@code ranMs} and {@code deliveryCount}
     * are known once its result is recorded, from the worker that ran it; histories written by engines
     * before they were recorded lack them.
     *
     * @param attempt 1 for the first try, then one more per retry of the retry policy
     * @param queuedMs from its schedule until a worker started it
     */
    record Attempt(int attempt, int maxAttempts, Instant scheduledAt, Instant startedAt, Instant finishedAt,
            Long queuedMs, Long ranMs, Integer deliveryCount) {}

    /**
     * Something the instance waits for.
     *
     * @param kind {@code activity-queued}, {@code activity-running}, {@code activity-result}, {@code timer},
     *     {@code sub-orchestration}, {@code message} (arrived, not yet processed), {@code external-event},
     *     {@code resume}, {@code first-turn} or {@code nothing}
     * @param since when the wait began
     * @param until when it ends if that is known: a timer's fire time, a delayed work item's visible time, the
     *     expiry of a running activity's lock
     * @param readyAhead for a queued activity, ready work items of any instance that workers take first
     */
    record Wait(String kind, String detail, Instant since, Instant until, Integer taskId, String name, Long readyAhead,
            Integer deliveryCount, String childInstanceId, String childStatus) {
        static Wait of(String kind, String detail, Instant since) {
            return new Wait(kind, detail, since, null, null, null, null, null, null, null);
        }
    }
}
