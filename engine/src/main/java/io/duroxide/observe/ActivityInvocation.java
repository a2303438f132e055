package io.duroxide.observe;

import io.duroxide.provider.ActivityWorkItem;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One activity attempt handed to {@code runtime.ActivityInvoker#invoke(ActivityInvocation)}, the observation point
 * for activity executions.
 *
 * @param deliveryCount how many times the queue delivered this attempt (more than 1 after a crash)
 * @param cancelled set when the work is no longer wanted (lock lost, instance ended, timeout)
 */
public record ActivityInvocation(ActivityWorkItem item, int deliveryCount, AtomicBoolean cancelled) {
    public String activityName() {
        return item.activityName();
    }

    /** 0 for the first try, 1 for the first retry, and so on. */
    public int retryAttempt() {
        return item.attempt();
    }
}
