package io.duroxide.provider;

import io.duroxide.api.InstanceStatus;
import io.duroxide.history.HistoryEvent;
import java.util.List;

/**
 * An instance locked for one turn: its current execution's history and every message visible for it.
 *
 * @param attemptCount the highest delivery count over the messages (poison detection)
 * @param historyError non-null when stored history could not be read; the runtime fails the instance
 */
public record OrchestrationWorkItem(
        String lockToken,
        InstanceStatus instance,
        ExecutionRecord execution,
        List<HistoryEvent> history,
        List<OrchestratorMessage> messages,
        int attemptCount,
        String historyError) {

    public String instanceId() {
        return instance.instanceId();
    }
}
