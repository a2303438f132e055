package io.duroxide.provider;

import java.time.Duration;

/**
 * Work that is fetched and not yet acknowledged, whoever holds it, counted only while its lock is
 * unexpired (an expired lock is ready work again, in {@link QueueDepths}). With {@link QueueDepths} it
 * covers all work that is due: ready plus locked is every visible message and every visible work item,
 * except the messages of an instance held back by {@link Provider#abandonOrchestrationItem} with a delay,
 * which nobody holds and which are not ready before the delay ends.
 *
 * @param orchestratorLocked visible messages of instances whose lock is held: the messages a turn in
 *     progress fetched and those that arrived for a locked instance since
 * @param orchestratorOldestLockAge time since the oldest held instance lock was taken or last renewed,
 *     by the store's clock; zero when none is held
 * @param activityLocked activity work items whose lock is held
 * @param activityOldestLockAge the same for activity work item locks
 */
public record LockedWork(long orchestratorLocked, Duration orchestratorOldestLockAge, long activityLocked,
        Duration activityOldestLockAge) {

    public LockedWork {
        if (orchestratorLocked < 0 || activityLocked < 0) {
            throw new IllegalArgumentException("locked counts must not be negative");
        }
        orchestratorOldestLockAge = notNegative(orchestratorOldestLockAge);
        activityOldestLockAge = notNegative(activityOldestLockAge);
    }

    /** A store's clock may step back between taking a lock and reading its age: that is age zero, not less. */
    private static Duration notNegative(Duration age) {
        return age.isNegative() ? Duration.ZERO : age;
    }
}
