package io.duroxide.agent.bootstrap;

/** Receives committed orchestration turns. JDK types only (lives in the bootstrap loader). */
public interface OrchestrationSink {
    /** Reads {@code turn} during the call only (see {@link TurnCommitted}). */
    void turnCommitted(TurnCommitted turn);

    /** A provider that a runtime of this JVM uses, for the active-instances gauge. */
    void providerSeen(Object provider);
}
