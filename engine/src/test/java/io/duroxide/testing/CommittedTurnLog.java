package io.duroxide.testing;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.LockedWork;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.TurnWrite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A provider that passes every call to another and appends {@code TURN pid instance - - fetchedNanos committingNanos}
 * to the work log for each turn whose {@link #commitTurn} returned normally: the interval from the moment the fetch
 * that locked the instance returned to the moment the commit was called. The store took the lock during that fetch
 * and released it during that commit, so the logged interval lies inside the time the turn held the instance's lock,
 * and two committed turns of one instance must have disjoint intervals if the lock excludes them.
 *
 * <p>A turn whose commit failed is not logged: its lock expired during a stall and another fetch took the instance,
 * so it ran beside the taker's turn and was redone, which is the engine's at-least-once execution of orchestration
 * code, not a broken lock. Times are {@link System#nanoTime()}, comparable across processes on Linux.
 */
final class CommittedTurnLog implements Provider {
    /** An instance lock this process took, and when the fetch taking it returned. */
    private record Fetched(String instanceId, long nanos) {}

    private final Provider delegate;
    private final Path log;
    private final Map<String, Fetched> fetched = new ConcurrentHashMap<>();

    CommittedTurnLog(Provider delegate, Path log) {
        this.delegate = delegate;
        this.log = log;
    }

    @Override
    public Optional<OrchestrationWorkItem> fetchOrchestrationItem(Duration lockTimeout) {
        Optional<OrchestrationWorkItem> item = delegate.fetchOrchestrationItem(lockTimeout);
        item.ifPresent(i -> remember(List.of(i), System.nanoTime()));
        return item;
    }

    @Override
    public List<OrchestrationWorkItem> fetchOrchestrationItems(Duration lockTimeout, int max) {
        List<OrchestrationWorkItem> items = delegate.fetchOrchestrationItems(lockTimeout, max);
        remember(items, System.nanoTime());
        return items;
    }

    private void remember(List<OrchestrationWorkItem> items, long nanos) {
        items.forEach(i -> fetched.put(i.lockToken(), new Fetched(i.instanceId(), nanos)));
    }

    @Override
    public void commitTurn(String lockToken, TurnWrite write) {
        Fetched turn = fetched.get(lockToken);
        long committing = System.nanoTime();
        try {
            delegate.commitTurn(lockToken, write);
        } finally {
            fetched.remove(lockToken); // committed, or lost, or abandoned next by the dispatcher
        }
        if (turn != null) {
            try {
                ContentionWorkload.append(log, "TURN", turn.instanceId(), "-", "-", turn.nanos(), committing);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void abandonOrchestrationItem(String lockToken, Duration delay) {
        fetched.remove(lockToken);
        delegate.abandonOrchestrationItem(lockToken, delay);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void createInstance(NewInstance start) {
        delegate.createInstance(start);
    }

    @Override
    public boolean signalWithStart(NewInstance start, OrchestratorMessage signal) {
        return delegate.signalWithStart(start, signal);
    }

    @Override
    public void enqueueOrchestratorMessage(OrchestratorMessage message, Instant visibleAt) {
        delegate.enqueueOrchestratorMessage(message, visibleAt);
    }

    @Override
    public void renewOrchestrationLock(String lockToken, Duration lockTimeout) {
        delegate.renewOrchestrationLock(lockToken, lockTimeout);
    }

    @Override
    public Optional<ActivityLease> fetchActivity(Duration lockTimeout) {
        return delegate.fetchActivity(lockTimeout);
    }

    @Override
    public List<ActivityLease> fetchActivities(Duration lockTimeout, int max) {
        return delegate.fetchActivities(lockTimeout, max);
    }

    @Override
    public void completeActivity(String lockToken, OrchestratorMessage completion) {
        delegate.completeActivity(lockToken, completion);
    }

    @Override
    public Set<String> completeActivities(List<ActivityCompletion> completions) {
        return delegate.completeActivities(completions);
    }

    @Override
    public void abandonActivity(String lockToken, Duration delay) {
        delegate.abandonActivity(lockToken, delay);
    }

    @Override
    public void renewActivityLock(String lockToken, Duration lockTimeout) {
        delegate.renewActivityLock(lockToken, lockTimeout);
    }

    @Override
    public Optional<InstanceStatus> getInstance(String instanceId) {
        return delegate.getInstance(instanceId);
    }

    @Override
    public List<HistoryEvent> readHistory(String instanceId, long executionId) {
        return delegate.readHistory(instanceId, executionId);
    }

    @Override
    public Optional<ExecutionRecord> getExecution(String instanceId, long executionId) {
        return delegate.getExecution(instanceId, executionId);
    }

    @Override
    public List<InstanceStatus> listInstances(InstanceQuery query) {
        return delegate.listInstances(query);
    }

    @Override
    public int purgeInstance(String instanceId) {
        return delegate.purgeInstance(instanceId);
    }

    @Override
    public int pruneExecutions(String instanceId, int keepLast) {
        return delegate.pruneExecutions(instanceId, keepLast);
    }

    @Override
    public QueueDepths queueDepths() {
        return delegate.queueDepths();
    }

    @Override
    public Optional<LockedWork> lockedWork() {
        return delegate.lockedWork();
    }

    @Override
    public List<ActiveInstanceCount> countActiveInstances() {
        return delegate.countActiveInstances();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
