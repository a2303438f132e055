package io.duroxide.provider;

import io.duroxide.history.HistoryEvent;

/** A client start: the instance row, its first execution and the start message, written together. */
public record NewInstance(String instanceId, HistoryEvent.ExecutionStarted start) {
    public OrchestratorMessage startMessage() {
        return new OrchestratorMessage(instanceId, 1L, start);
    }
}
