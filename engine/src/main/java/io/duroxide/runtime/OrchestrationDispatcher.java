package io.duroxide.runtime;

import io.duroxide.observe.TurnCommit;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs orchestration turns: fetch a locked instance (or take an eager start's), plan the turn, commit it
 * atomically. {@link #commitTurn(TurnCommit)} is the observation point for orchestration lifecycle changes.
 */
final class OrchestrationDispatcher extends DispatcherLoop<OrchestrationWorkItem> implements EagerStart {
    private static final System.Logger LOG = System.getLogger(OrchestrationDispatcher.class.getName());

    /** How long a turn that failed to commit waits before its messages are delivered again. */
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final TurnPlanner planner;
    private final RuntimeOptions options;
    private final LockRenewals renewals;
    private final Wakeup activityWakeup;
    private final Wakeup orchestrationWakeup;
    private final InstanceEndings endings;
    private final LocalSteps localSteps;

    OrchestrationDispatcher(String workerId, Provider provider, TurnPlanner planner, RuntimeOptions options,
            LockRenewals renewals, Wakeup orchestrationWakeup, Wakeup activityWakeup, InstanceEndings endings, LocalSteps localSteps) {
        super("orchestration", workerId, options.orchestrationConcurrency(), 0, provider, options.pollInterval(), orchestrationWakeup);
        this.planner = planner;
        this.options = options;
        this.renewals = renewals;
        this.orchestrationWakeup = orchestrationWakeup;
        this.activityWakeup = activityWakeup;
        this.endings = endings;
        this.localSteps = localSteps;
    }

    @Override
    protected List<OrchestrationWorkItem> fetch(int max) {
        return provider().fetchOrchestrationItems(options.orchestrationLockTimeout(), max);
    }

    @Override
    public boolean startHere(NewInstance start) {
        if (!planner.runs(start.start()) || !reserveIdleSlot()) {
            return false;
        }
        Optional<OrchestrationWorkItem> locked;
        try {
            locked = provider().createInstanceLocked(start, options.orchestrationLockTimeout());
        } catch (RuntimeException e) {
            releaseReservedSlot();
            throw e;
        }
        if (locked.isPresent()) {
            runInReservedSlot(locked.get());
        } else { // a provider without eager starts stored it unlocked: the fetcher takes it
            releaseReservedSlot();
            orchestrationWakeup.signal();
        }
        return true;
    }

    /** An eager start's item that the stop left unstarted goes back to the queue at once. */
    @Override
    protected void release(OrchestrationWorkItem item) {
        abandonQuietly(item.lockToken(), Duration.ZERO);
    }

    @Override
    public void process(OrchestrationWorkItem item) {
        String token = item.lockToken();
        try (LockRenewals.Held ignored = renewals.hold(options.renewalPeriod(options.orchestrationLockTimeout()),
                () -> provider().renewOrchestrationLock(token, options.orchestrationLockTimeout()), () -> { })) {
            TurnPlanner.Plan plan = planner.plan(item, System.currentTimeMillis(), localSteps);
            if (plan instanceof TurnPlanner.Abandon abandon) {
                LOG.log(Level.WARNING, "instance " + item.instanceId() + " (delivery " + item.attemptCount() + "): "
                        + abandon.reason() + "; retrying in " + abandon.delay().toMillis() + " ms");
                provider().abandonOrchestrationItem(token, abandon.delay());
                return;
            }
            TurnPlanner.Commit commit = (TurnPlanner.Commit) plan;
            if (commit.observed()) {
                commitTurn(commit.turn());
            } else {
                provider().commitTurn(token, commit.turn().write());
            }
            if (!commit.turn().write().activities().isEmpty()) {
                activityWakeup.signal();
            }
            if (!commit.turn().write().messages().isEmpty()) {
                orchestrationWakeup.signal();
            }
            if (commit.turn().write().status().isTerminal()) {
                endings.ended(item.instanceId());
            }
        } catch (LockLostException e) {
            LOG.log(Level.INFO, "instance " + item.instanceId() + ": lock lost before the turn committed; it will be redone ("
                    + e.getMessage() + ")");
        } catch (ProviderException e) {
            LOG.log(Level.WARNING, "instance " + item.instanceId() + ": turn not committed: " + e.getMessage());
            abandonQuietly(token, RETRY_DELAY);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "instance " + item.instanceId() + ": turn failed unexpectedly", e);
            abandonQuietly(token, RETRY_DELAY);
        }
    }

    /**
     * Commits one turn atomically. Returns normally only if the turn is now durable; throws
     * {@link LockLostException} if another runtime owns the instance, and other
     * {@link ProviderException}s if storage failed (nothing was committed then either).
     */
    public void commitTurn(TurnCommit turn) {
        provider().commitTurn(turn.lockToken(), turn.write());
    }

    private void abandonQuietly(String token, Duration delay) {
        try {
            provider().abandonOrchestrationItem(token, delay);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "abandon failed; the lock will expire instead: " + e.getMessage());
        }
    }
}
