package io.duroxide.provider;

import io.duroxide.history.HistoryEvent;
import java.time.Instant;
import java.util.List;

/**
 * The work of one instance still in the store's queues, for a tool that tells what an instance waits for:
 * its activity work items (queued or held by a worker) and its orchestrator messages (events not yet processed,
 * timers not yet due). Rows the store cannot read are left out; the fetch paths deal with them.
 *
 * @param activities its work items, in the order workers take them
 * @param messages its messages, oldest visible first
 */
public record InstanceWork(List<QueuedActivity> activities, List<QueuedMessage> messages) {

    public InstanceWork {
        activities = List.copyOf(activities);
        messages = List.copyOf(messages);
    }

    /**
     * @param visibleAt when a worker may take it
     * @param lockedUntil when the lock of the worker running it expires, or null when no worker holds it
     * @param deliveryCount how many times it has been fetched
     * @param readyAhead ready, unlocked work items of any instance that workers take before this one
     */
    public record QueuedActivity(ActivityWorkItem item, Instant visibleAt, Instant lockedUntil, int deliveryCount,
            long readyAhead) {}

    /** @param visibleAt when the instance's dispatcher may see it (a timer's fire time) */
    public record QueuedMessage(HistoryEvent event, Instant visibleAt) {}
}
