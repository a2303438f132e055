package io.duroxide.testing;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.TurnWrite;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A provider that stores nothing: every write is dropped, every fetch and query answers empty, so a call
 * costs almost nothing. For measurements of what surrounds a provider call (the bench's per-call cost of
 * the agent) and for tests that need a {@link Provider} without a store. It implements the SPI directly (no
 * engine base class), which is how the agent's provider unit finds third-party providers: by the
 * {@code Provider} interface, in any package. Its only state is a counter of lock renewals, so the JIT
 * cannot drop those calls as dead code. It does not pass the provider validation suite (nothing it is
 * given can be read back) and is no stand-in for a store.
 */
public final class NoOpProvider implements Provider {
    private static final QueueDepths EMPTY = new QueueDepths(0, 0);

    private long renewals;

    @Override
    public String name() {
        return "no-op";
    }

    @Override
    public void createInstance(NewInstance start) {}

    @Override
    public boolean signalWithStart(NewInstance start, OrchestratorMessage signal) {
        return false;
    }

    @Override
    public void enqueueOrchestratorMessage(OrchestratorMessage message, Instant visibleAt) {}

    @Override
    public Optional<OrchestrationWorkItem> fetchOrchestrationItem(Duration lockTimeout) {
        return Optional.empty();
    }

    @Override
    public void commitTurn(String lockToken, TurnWrite write) {}

    @Override
    public void abandonOrchestrationItem(String lockToken, Duration delay) {}

    @Override
    public void renewOrchestrationLock(String lockToken, Duration lockTimeout) {}

    @Override
    public Optional<ActivityLease> fetchActivity(Duration lockTimeout) {
        return Optional.empty();
    }

    @Override
    public void completeActivity(String lockToken, OrchestratorMessage completion) {}

    @Override
    public void abandonActivity(String lockToken, Duration delay) {}

    @Override
    public void renewActivityLock(String lockToken, Duration lockTimeout) {
        renewals++;
    }

    @Override
    public Optional<InstanceStatus> getInstance(String instanceId) {
        return Optional.empty();
    }

    @Override
    public List<HistoryEvent> readHistory(String instanceId, long executionId) {
        return List.of();
    }

    @Override
    public Optional<ExecutionRecord> getExecution(String instanceId, long executionId) {
        return Optional.empty();
    }

    @Override
    public List<InstanceStatus> listInstances(InstanceQuery query) {
        return List.of();
    }

    @Override
    public int purgeInstance(String instanceId) {
        return 0;
    }

    @Override
    public int pruneExecutions(String instanceId, int keepLast) {
        return 0;
    }

    @Override
    public QueueDepths queueDepths() {
        return EMPTY;
    }

    @Override
    public List<ActiveInstanceCount> countActiveInstances() {
        return List.of();
    }

    @Override
    public void close() {}
}
