package io.duroxide.agent.bootstrap;

/** Receives finished activity attempts. JDK types only (lives in the bootstrap loader). */
public interface ActivitySink {
    /** Reads {@code attempt} during the call only (see {@link ActivityAttempt}). */
    void attempt(ActivityAttempt attempt);
}
