package io.duroxide.agent.metrics;

import io.duroxide.agent.bootstrap.WorkerLoop;
import io.duroxide.agent.bootstrap.WorkerSink;
import io.duroxide.agent.config.Log;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The dispatcher-loop metrics, per {@code (worker_type, worker_id)}: one worker is one dispatcher of one
 * runtime (the engine's {@code workerId()}), with {@code slots()} concurrent slots.
 * <ul>
 *   <li>{@code duroxide_worker_queue_depth}: the ready, unlocked backlog in the store this worker fetches
 *       from (orchestrator queue or activity queue), polled; workers sharing a store report the same backlog.</li>
 *   <li>{@code duroxide_worker_locked_items}: the work of that queue held under unexpired locks, by any process
 *       (in flight, or held by a dead process until its locks expire), polled; with the queue depth it is all
 *       due work. Registered once the provider reports it (its {@code lockedWork()} is not empty).</li>
 *   <li>{@code duroxide_worker_oldest_lock_age_seconds}: time since the oldest of those locks was taken or
 *       last renewed, by the store's clock; 0 when none is held. Live holders renew before 5/8 of the lock
 *       timeout, so an age approaching the timeout is a lock whose holder stopped renewing it.</li>
 *   <li>{@code duroxide_worker_processing_rate}: items processed per second between the last two polls, absent
 *       until a worker's second poll. Its first poll only takes the starting count: the registry is built at the
 *       first scrape and the calls held until then are replayed in milliseconds, so no interval measured by the
 *       poller contains them.</li>
 *   <li>{@code duroxide_worker_active_time_seconds}: total busy time of all slots (monotonic).</li>
 *   <li>{@code duroxide_worker_count}: slots, so {@code rate(active_time)/worker_count} is utilisation.</li>
 *   <li>{@code duroxide_worker_items_processed_total}: items processed (exact).</li>
 * </ul>
 */
public final class WorkerRecorder implements WorkerSink {
    static final String QUEUE_DEPTH = "duroxide.worker.queue.depth";
    static final String LOCKED_ITEMS = "duroxide.worker.locked.items";
    static final String OLDEST_LOCK_AGE = "duroxide.worker.oldest.lock.age";
    static final String RATE = "duroxide.worker.processing.rate";
    static final String ACTIVE_TIME = "duroxide.worker.active.time";
    static final String COUNT = "duroxide.worker.count";
    static final String PROCESSED = "duroxide.worker.items.processed";

    private final Metrics metrics;
    private final LongSupplier nanoClock;
    private final LabelLimiter ids;
    private final LabelLimiter types;
    private final ConcurrentHashMap<String, Worker> orchestration = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Worker> activity = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Worker> otherTypes = new ConcurrentHashMap<>();

    public final class Worker {
        final String type;
        final String id;
        final String[] tags;
        volatile WeakReference<Object> loop = new WeakReference<>(null);
        volatile WeakReference<Object> provider = new WeakReference<>(null);
        final LongAdder processed = new LongAdder();
        final LongAdder busyNanos = new LongAdder();
        volatile int slots;
        volatile double queueDepth;
        volatile double lockedItems;
        volatile double oldestLockAgeSeconds;
        /** Whether the locked-work gauges exist: only once the provider has reported locked work. */
        private boolean lockGauges;
        volatile double rate;
        /** Count and time of the previous poll (poller thread only); no rate before a first poll. */
        boolean polled;
        long lastCount;
        long lastPollNanos;
        /** Guarded by {@code this}: the rate and lock gauges are registered late, and not after {@link #unregister}. */
        final List<Meter> meters = new ArrayList<>();
        boolean unregistered;
        boolean ratePublished;

        Worker(String type, String id, int slots) {
            this.type = type;
            this.id = id;
            this.slots = slots;
            this.tags = new String[] {"worker_type", type, "worker_id", id};
            meters.add(Gauge.builder(QUEUE_DEPTH, this, w -> w.queueDepth).tags(tags).strongReference(true)
                    .description("Ready, unlocked work items in the store this worker fetches from").register(metrics.registry));
            meters.add(Gauge.builder(ACTIVE_TIME, this, w -> w.busyNanos.sum() / 1e9).baseUnit("seconds").tags(tags)
                    .strongReference(true)
                    .description("Total time the worker's slots spent processing items (monotonic; use rate())")
                    .register(metrics.registry));
            meters.add(Gauge.builder(COUNT, this, w -> w.slots).tags(tags).strongReference(true)
                    .description("Concurrent slots of this worker").register(metrics.registry));
            meters.add(FunctionCounter.builder(PROCESSED, this, w -> w.processed.sum()).tags(tags)
                    .description("Items processed by this worker").register(metrics.registry));
        }

        /** Called by the poller: the rate over the interval since the previous poll, from the second poll on. */
        void sample(long count, long now) {
            if (polled && now > lastPollNanos) {
                rate = (count - lastCount) / ((now - lastPollNanos) / 1e9);
                publishRate();
            }
            polled = true;
            lastCount = count;
            lastPollNanos = now;
        }

        private synchronized void publishRate() {
            if (ratePublished || unregistered) {
                return;
            }
            ratePublished = true;
            meters.add(Gauge.builder(RATE, this, w -> w.rate).tags(tags).strongReference(true)
                    .description("Items processed per second between the last two polls (absent until the second poll)")
                    .register(metrics.registry));
        }

        synchronized void unregister() {
            unregistered = true;
            for (Meter meter : meters) {
                metrics.remove(meter);
            }
        }

        public double queueDepth() {
            return queueDepth;
        }

        public double oldestLockAgeSeconds() {
            return oldestLockAgeSeconds;
        }

        synchronized void lockedWork(long items, double oldestAgeSeconds) {
            lockedItems = items;
            oldestLockAgeSeconds = oldestAgeSeconds;
            if (lockGauges || unregistered) {
                return;
            }
            lockGauges = true;
            meters.add(Gauge.builder(LOCKED_ITEMS, this, w -> w.lockedItems).tags(tags).strongReference(true)
                    .description("Work items held under unexpired locks in the store this worker fetches from (in flight,"
                            + " or held by a dead process until the locks expire)")
                    .register(metrics.registry));
            meters.add(Gauge.builder(OLDEST_LOCK_AGE, this, w -> w.oldestLockAgeSeconds).baseUnit("seconds").tags(tags)
                    .strongReference(true)
                    .description("Time since the oldest of those locks was taken or last renewed, by the store's clock;"
                            + " 0 when none is held")
                    .register(metrics.registry));
        }
    }

    public WorkerRecorder(Metrics metrics) {
        this(metrics, System::nanoTime);
    }

    /** {@code nanoClock}: the poller's clock (tests drive it by hand). */
    WorkerRecorder(Metrics metrics, LongSupplier nanoClock) {
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.ids = metrics.limiter("worker_id");
        this.types = metrics.limiter("worker_type");
    }

    private ConcurrentHashMap<String, Worker> map(String type) {
        if ("orchestration".equals(type)) {
            return orchestration;
        }
        if ("activity".equals(type)) {
            return activity;
        }
        return otherTypes;
    }

    private Worker worker(String type, String id, int slots) {
        ConcurrentHashMap<String, Worker> m = map(type);
        String key = id == null ? LabelLimiter.NONE : id;
        Worker w = m.get(key);
        if (w == null) {
            String limitedType = types.apply(type);
            String limitedId = ids.apply(key);
            w = m.computeIfAbsent(key, k -> {
                for (Worker existing : m.values()) {
                    if (existing.id.equals(limitedId) && existing.type.equals(limitedType)) {
                        return existing; // an overflowed id shares the "other" worker
                    }
                }
                return new Worker(limitedType, limitedId, slots);
            });
        }
        return w;
    }

    @Override
    public void started(WorkerLoop loop) {
        Worker w = worker(loop.workerType, loop.workerId, loop.slots);
        w.slots = loop.slots;
        w.loop = new WeakReference<>(loop.loop);
        w.provider = new WeakReference<>(loop.provider);
    }

    @Override
    public void stopped(WorkerLoop loop) {
        ConcurrentHashMap<String, Worker> m = map(loop.workerType);
        Worker w = m.remove(loop.workerId == null ? LabelLimiter.NONE : loop.workerId);
        if (w != null && !m.containsValue(w)) {
            w.unregister();
        }
    }

    @Override
    public void processed(WorkerLoop loop) {
        Worker w = worker(loop.workerType, loop.workerId, loop.slots);
        w.processed.increment();
        w.busyNanos.add(Math.max(0, loop.itemNanos));
        if (w.loop.get() == null && loop.loop != null) {
            w.loop = new WeakReference<>(loop.loop);
        }
    }

    /** Called by the poller thread: processing rates, queue depths and locked work. */
    public void poll() {
        poll(null);
    }

    /** Same, handing every provider found to {@code providers} (the active-instances poller). */
    public void poll(ActiveInstancesPoller providers) {
        long now = nanoClock.getAsLong();
        Map<Object, long[]> depthsByProvider = new IdentityHashMap<>();
        Map<Object, Optional<ProviderProbe.LockedWork>> lockedByProvider = new IdentityHashMap<>();
        for (ConcurrentHashMap<String, Worker> m : List.of(orchestration, activity, otherTypes)) {
            for (Worker w : m.values()) {
                w.sample(w.processed.sum(), now);
                Object provider = w.provider.get();
                if (provider == null) {
                    Object loop = w.loop.get();
                    if (loop != null) {
                        try {
                            provider = ProviderProbe.providerOfLoop(loop);
                            w.provider = new WeakReference<>(provider);
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            Log.debug("provider() of " + w.id + " failed: " + e);
                        }
                    }
                }
                if (provider == null) {
                    continue;
                }
                if (providers != null) {
                    providers.addProvider(provider);
                }
                boolean activityQueue = "activity".equals(w.type);
                long[] depths = oncePerProvider(depthsByProvider, provider, "queueDepths", ProviderProbe::queueDepths,
                        new long[] {-1, -1});
                long d = activityQueue ? depths[1] : depths[0];
                if (d >= 0) {
                    w.queueDepth = d;
                }
                oncePerProvider(lockedByProvider, provider, "lockedWork", ProviderProbe::lockedWork, Optional.empty())
                        .ifPresent(held -> w.lockedWork(activityQueue ? held.activityLocked() : held.orchestratorLocked(),
                                activityQueue ? held.activityOldestAgeSeconds() : held.orchestratorOldestAgeSeconds()));
            }
        }
    }

    private interface ProviderQuery<T> {
        T ask(Object provider) throws ReflectiveOperationException;
    }

    /** Asks each store once per poll however many workers share it; a failed query keeps the last values. */
    private static <T> T oncePerProvider(Map<Object, T> answers, Object provider, String what, ProviderQuery<T> query,
            T onFailure) {
        T answer = answers.get(provider);
        if (answer == null) {
            try {
                answer = query.ask(provider);
            } catch (ReflectiveOperationException | RuntimeException e) {
                Log.debug(what + " failed: " + e);
                answer = onFailure;
            }
            answers.put(provider, answer);
        }
        return answer;
    }

    /** For tests. */
    public Worker find(String type, String id) {
        return map(type).get(id);
    }
}
