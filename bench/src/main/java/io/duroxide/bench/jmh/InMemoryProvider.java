package io.duroxide.bench.jmh;

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
 * A provider that stores nothing, so that a call costs almost nothing and the agent's per-call cost is
 * what {@link PerCallBenchmark} sees. It implements the SPI directly (no engine base class), which is
 * how the agent's provider unit finds third-party providers: by the {@code Provider} interface, in any
 * package. Its only state is a counter, so the JIT cannot drop the calls as dead code.
 */
public final class InMemoryProvider implements Provider {
    private static final QueueDepths EMPTY = new QueueDepths(0, 0);

    long renewals;

    @Override
    public String name() {
        return "in-memory";
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
