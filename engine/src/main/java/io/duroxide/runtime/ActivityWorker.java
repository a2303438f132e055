package io.duroxide.runtime;

import io.duroxide.api.Registry;
import io.duroxide.history.AttemptRun;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.observe.ActivityInvocation;
import io.duroxide.observe.ActivityOutcome;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fetches activity attempts, runs them through the {@link ActivityInvoker} and reports their results. It also
 * runs, for the orchestration slots, the short activities their turns schedule ({@link LocalSteps}), through
 * the same {@link #process} so that every attempt is seen the same way.
 */
final class ActivityWorker extends DispatcherLoop<ActivityLease> implements LocalSteps {
    private static final System.Logger LOG = System.getLogger(ActivityWorker.class.getName());
    /**
     * At least one attempt leased ahead of the idle slots: a slot that finishes starts the next attempt at
     * once instead of waiting for a fetch transaction (with 10 ms activities, about a tenth of a slot's time).
     */
    static final int PREFETCH = 1;
    /**
     * When attempts are short, as many are leased ahead as the slots run in this window (at most
     * {@link #MAX_AHEAD_PER_SLOT} per slot), so a fetch held up behind other writers (a WAL checkpoint,
     * a burst of commits) does not leave a slot idle, and the fetcher is needed only every few attempts.
     * Long attempts keep {@link #PREFETCH}: work leased ahead is work other runtimes cannot take.
     */
    static final Duration LEASE_AHEAD_WINDOW = Duration.ofMillis(100);
    static final int MAX_AHEAD_PER_SLOT = 8;
    /** How soon a finished result is stored while the fetcher has no reason to fetch. */
    static final Duration RESULT_FLUSH_PERIOD = Duration.ofMillis(5);

    private static final String LOCAL_TOKEN_PREFIX = "local:";

    private final Registry registry;
    private final ActivityInvoker invoker;
    private final RuntimeOptions options;
    private final LockRenewals renewals;
    private final Wakeup orchestrationWakeup;
    private final LocalStepBudget localStepBudget;
    /** Results not stored yet; the fetcher stores them in bulk ({@link #flush}), so one transaction carries many. */
    private final ConcurrentLinkedQueue<ActivityCompletion> results = new ConcurrentLinkedQueue<>();
    /** When each lease was taken (System.nanoTime), so one that waited long for a slot is renewed before it runs. */
    private final Map<String, Long> leasedAt = new ConcurrentHashMap<>();
    /**
     * Moving mean of the time one attempt holds a slot, in nanoseconds; 0 before the first one. It is the
     * attempt's own duration as the invoker measured it (the slot's bookkeeping around it is small), taken
     * from attempts that ran: an unregistered activity put back for another runtime does not count.
     */
    private volatile long meanSlotNanos;
    /** How long each activity's attempts take, by activity name: which ones are short enough to run here. */
    private final Map<String, StepTiming> timingByActivity = new ConcurrentHashMap<>();
    /**
     * Activities whose one untimed attempt in a turn (the probe) has been handed out, each with a latch opened once
     * the activity has a time (or the probe ended without one).
     */
    private final Map<String, CountDownLatch> probes = new ConcurrentHashMap<>();
    /** Attempts run for a turn ({@link #run}), by their lease's token (one no other process knows), until the turn takes the result. */
    private final Map<String, LocalAttempt> localAttempts = new ConcurrentHashMap<>();

    /** Where {@link #process} leaves the completion of an attempt run for a turn; null if it did not complete here. */
    private static final class LocalAttempt {
        HistoryEvent completion;
    }

    ActivityWorker(String workerId, Provider provider, Registry registry, ActivityInvoker invoker, RuntimeOptions options,
            LockRenewals renewals, Wakeup activityWakeup, Wakeup orchestrationWakeup, LocalStepBudget localStepBudget) {
        super("activity", workerId, options.activityConcurrency(), PREFETCH, provider, options.pollInterval(), activityWakeup);
        this.registry = registry;
        this.invoker = invoker;
        this.options = options;
        this.renewals = renewals;
        this.orchestrationWakeup = orchestrationWakeup;
        this.localStepBudget = localStepBudget;
    }

    @Override
    protected List<ActivityLease> fetch(int max) {
        List<ActivityLease> leases = provider().fetchActivities(options.activityLockTimeout(), max);
        long now = System.nanoTime();
        leases.forEach(l -> leasedAt.put(l.lockToken(), now));
        return leases;
    }

    @Override
    protected void release(ActivityLease lease) {
        leasedAt.remove(lease.lockToken());
        try {
            provider().abandonActivity(lease.lockToken(), Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "a prefetched activity was not released (" + e.getMessage() + "); its lock will expire instead");
        }
    }

    /** {@link #PREFETCH}, or more when attempts are short: as many as the slots run in {@link #LEASE_AHEAD_WINDOW}. */
    @Override
    protected int leaseAhead() {
        long mean = meanSlotNanos;
        if (mean <= 0) {
            return PREFETCH;
        }
        long inWindow = LEASE_AHEAD_WINDOW.toNanos() * slots() / mean;
        return (int) Math.max(PREFETCH, Math.min(inWindow, (long) MAX_AHEAD_PER_SLOT * slots()));
    }

    @Override
    protected Duration flushPeriod() {
        return RESULT_FLUSH_PERIOD;
    }

    @Override
    public List<HistoryEvent> run(List<ActivityWorkItem> items, long turnStartedNanos) {
        List<HistoryEvent> completions = new ArrayList<>();
        long batchStartedNanos = System.nanoTime();
        for (int i = 0; i < items.size(); i++) {
            ActivityWorkItem item = items.get(i);
            if (!isRunning() || !localStepBudget.allows(turnStartedNanos, batchStartedNanos, i, System.nanoTime()) || !shortHere(item)) {
                break;
            }
            String token = LOCAL_TOKEN_PREFIX + UUID.randomUUID();
            LocalAttempt attempt = new LocalAttempt();
            localAttempts.put(token, attempt);
            try {
                process(new ActivityLease(token, item, 1));
            } finally {
                localAttempts.remove(token);
                probeEnded(item.activityName());
            }
            if (attempt.completion == null) {
                break; // crashed or cancelled: it and the rest go through the queue
            }
            completions.add(attempt.completion);
        }
        return completions;
    }

    /**
     * Registered here, not routed by a tag, and seen to be short; or not timed yet, and the first such attempt (the
     * probe): a fresh process then learns an activity's time inside a turn, where its first workflows would otherwise
     * send their steps through the queue until the first attempt there is done. Turns that schedule the activity
     * while the probe runs wait for its time, at most {@link LocalStepBudget#probeWait()}, instead of sending the
     * first workflows of a burst through the queue. A probe of a long activity holds its slot and instance once, as
     * a short activity that turns slow does until its mean passes the limit.
     */
    private boolean shortHere(ActivityWorkItem item) {
        String name = item.activityName();
        if (item.tag() != null || registry.activity(name).isEmpty()) {
            return false;
        }
        StepTiming timing = timingByActivity.get(name);
        if (timing != null) {
            return timing.local();
        }
        CountDownLatch running = probes.putIfAbsent(name, new CountDownLatch(1));
        if (running == null) {
            return true;
        }
        try {
            running.await(localStepBudget.probeWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        timing = timingByActivity.get(name);
        return timing != null && timing.local();
    }

    /** Opens the latch of the activity's probe, if there is one: it has a time now, or its probe ended without one. */
    private void probeEnded(String activityName) {
        CountDownLatch probe = probes.get(activityName);
        if (probe != null) {
            probe.countDown();
        }
    }

    /**
     * One attempt: leased from the queue (its result is stored by {@link #flush}), or run for a turn
     * ({@link #run}: no lease in the store, so nothing to renew or give back; the result goes to the turn).
     */
    @Override
    public void process(ActivityLease lease) {
        var item = lease.item();
        String token = lease.lockToken();
        LocalAttempt local = localAttempts.get(token);
        Long leased = leasedAt.remove(token);
        try {
            if (leased != null && System.nanoTime() - leased > options.renewalPeriod(options.activityLockTimeout()).toNanos()) {
                // It waited for a slot behind a long attempt: make sure it is still ours before running it.
                provider().renewActivityLock(token, options.activityLockTimeout());
            }
            if (local == null && registry.activity(item.activityName()).isEmpty() && lease.deliveryCount() < options.maxDeliveryAttempts()) {
                Duration delay = options.unregisteredDelay(lease.deliveryCount());
                LOG.log(Level.WARNING, "activity '" + item.activityName() + "' is not registered in this runtime; instance "
                        + item.instanceId() + " waits for a runtime that has it (retry in " + delay.toMillis() + " ms)");
                provider().abandonActivity(token, delay);
                return;
            }
            AtomicBoolean cancelled = new AtomicBoolean();
            ActivityOutcome outcome;
            try (LockRenewals.Held ignored = local != null ? null : renewals.hold(options.renewalPeriod(options.activityLockTimeout()),
                    () -> provider().renewActivityLock(token, options.activityLockTimeout()), () -> cancelled.set(true))) {
                outcome = invoker.invoke(new ActivityInvocation(item, lease.deliveryCount(), cancelled));
            }
            took(item.activityName(), outcome.durationNanos(), local != null);
            // Cancelled by the runtime stopping (an attempt for a turn has no lease to lose): not a result to keep.
            if ((local != null || !isRunning()) && outcome instanceof ActivityOutcome.Failed f
                    && f.type() == ActivityOutcome.FailureType.CANCELLED) {
                giveBack(local, token, Duration.ZERO);
                return;
            }
            if (outcome instanceof ActivityOutcome.Failed f && f.type() == ActivityOutcome.FailureType.INFRASTRUCTURE_ERROR
                    && f.failure().kind() == FailureKind.INFRASTRUCTURE) {
                LOG.log(Level.ERROR, "activity '" + item.activityName() + "' crashed: " + f.failure().summary() + "; it will be redelivered");
                giveBack(local, token, Duration.ofSeconds(1));
                return;
            }
            long now = System.currentTimeMillis();
            AttemptRun run = new AttemptRun(now - outcome.durationNanos() / 1_000_000, now, lease.deliveryCount());
            HistoryEvent result = outcome instanceof ActivityOutcome.Succeeded ok
                    ? new HistoryEvent.ActivityCompleted(now, item.taskId(), ok.output(), run)
                    : new HistoryEvent.ActivityFailed(now, item.taskId(), ((ActivityOutcome.Failed) outcome).failure(), run);
            if (local != null) {
                local.completion = result;
                return;
            }
            results.add(new ActivityCompletion(token, new OrchestratorMessage(item.instanceId(), item.executionId(), result)));
            wakeFetcher();
        } catch (LockLostException e) {
            LOG.log(Level.DEBUG, "activity '" + item.activityName() + "' of " + item.instanceId() + " was cancelled or taken over: " + e.getMessage());
        } catch (ProviderException e) {
            LOG.log(Level.WARNING, "activity '" + item.activityName() + "' of " + item.instanceId()
                    + ": could not release its work item (" + e.getMessage() + "); the attempt will be redelivered");
        }
    }

    /** An attempt that did not complete goes back to the queue; one run for a turn was never in it: the turn queues it. */
    private void giveBack(LocalAttempt local, String token, Duration delay) {
        if (local == null) {
            provider().abandonActivity(token, delay);
        }
    }

    /**
     * Folds one attempt's duration (measured by the invoker, {@link ActivityOutcome#durationNanos()}) into
     * {@link #meanSlotNanos} and its activity's {@link StepTiming}.
     */
    private void took(String activityName, long nanos, boolean ranInTurn) {
        long took = Math.max(1, nanos);
        long mean = meanSlotNanos;
        meanSlotNanos = mean <= 0 ? took : mean + (took - mean) / 8;
        long now = System.nanoTime();
        timingByActivity.merge(activityName, StepTiming.first(took, ranInTurn, now), (old, first) -> old.next(took, now));
    }

    /**
     * Stores the results the slots finished since the last flush, in one provider call. The slots do
     * not wait for it: a result lost with this process is an attempt redelivered when its lock
     * expires, the same at-least-once outcome as a crash just before an immediate write.
     */
    @Override
    protected void flush() {
        List<ActivityCompletion> batch = new ArrayList<>();
        for (ActivityCompletion c; (c = results.poll()) != null; ) {
            batch.add(c);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            Set<String> lost = provider().completeActivities(batch);
            if (!lost.isEmpty()) {
                LOG.log(Level.DEBUG, lost.size() + " activity result(s) not stored: their work items were cancelled or taken over");
            }
            if (lost.size() < batch.size()) {
                orchestrationWakeup.signal();
            }
        } catch (ProviderException e) {
            LOG.log(Level.WARNING, batch.size() + " activity result(s) not stored (" + e.getMessage()
                    + "); those attempts will be redelivered when their locks expire");
        }
    }
}
