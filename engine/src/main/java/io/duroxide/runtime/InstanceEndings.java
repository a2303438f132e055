package io.duroxide.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Instances ending in this process, announced to the clients waiting for them: a runtime calls
 * {@link #ended} once the turn that ended an instance is committed, and
 * {@link ProviderClient#waitForCompletion} returns then, not at its next poll of the store. Polling stays
 * the fallback for instances that end in other runtimes. Announcing an instance nobody waits for costs one
 * map lookup.
 */
final class InstanceEndings {
    private final ConcurrentHashMap<String, List<Watch>> watches = new ConcurrentHashMap<>();

    /** Wakes the clients waiting for this instance; call it after the ending is durable. */
    void ended(String instanceId) {
        // under the map's lock for this key, so a watch cannot be added or closed half-way
        watches.computeIfPresent(instanceId, (id, list) -> {
            list.forEach(Watch::wake);
            return list;
        });
    }

    /** Starts watching before the first status read, so an ending between the read and the wait is not missed. */
    Watch watch(String instanceId) {
        Watch watch = new Watch(instanceId);
        watches.compute(instanceId, (id, list) -> {
            List<Watch> l = list == null ? new ArrayList<>(1) : list;
            l.add(watch);
            return l;
        });
        return watch;
    }

    /** Watches being waited on; for tests. */
    int watched() {
        return watches.values().stream().mapToInt(List::size).sum();
    }

    /** One waiting thread's interest in one instance. */
    final class Watch implements AutoCloseable {
        private final String instanceId;
        private final Thread waiter = Thread.currentThread();
        private volatile boolean woken;

        private Watch(String instanceId) {
            this.instanceId = instanceId;
        }

        private void wake() {
            woken = true;
            LockSupport.unpark(waiter);
        }

        /**
         * Waits until the instance is announced as ended or {@code nanos} pass (or a spurious wake-up); the
         * caller reads the status again either way. An announcement is consumed by the wait it ends.
         */
        void await(long nanos) {
            if (!woken) {
                LockSupport.parkNanos(this, nanos);
            }
            woken = false;
        }

        @Override
        public void close() {
            watches.computeIfPresent(instanceId, (id, list) -> {
                list.remove(this);
                return list.isEmpty() ? null : list;
            });
        }
    }
}
