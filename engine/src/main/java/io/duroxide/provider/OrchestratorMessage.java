package io.duroxide.provider;

import io.duroxide.history.HistoryEvent;

/**
 * A message for an instance's orchestrator queue; it becomes a history event when a turn consumes it.
 *
 * @param executionId the execution the message belongs to, or null for whichever is current; a
 *     message for an execution that is no longer current is dropped
 */
public record OrchestratorMessage(String instanceId, Long executionId, HistoryEvent event) {}
