package io.duroxide.agent.bootstrap;

import java.util.List;

/** Receives committed orchestration turns. JDK types only (lives in the bootstrap loader). */
public interface OrchestrationSink {
    /**
     * @param instanceId the instance whose execution {@code executionId} committed the turn
     * @param durationNanos committedAt - executionStartedAt, or -1 if unknown
     */
    void turnCommitted(
            String instanceId,
            String orchestrationName,
            String version,
            long executionId,
            String initiatedBy,
            boolean startsExecution,
            String outcome,
            String failureKind,
            List<String> classChain,
            String errorMessage,
            String errorCode,
            int turnCount,
            int historySize,
            long durationNanos,
            String parentOrchestration);

    /** A provider that a runtime of this JVM uses, for the active-instances gauge. */
    void providerSeen(Object provider);
}
