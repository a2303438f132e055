package io.duroxide.agent.bootstrap;

/** Receives dispatcher-loop life-cycle and processed items. JDK types only (lives in the bootstrap loader). */
public interface WorkerSink {
    /** Each method reads {@code loop} during the call only (see {@link WorkerLoop}). */
    void started(WorkerLoop loop);

    void stopped(WorkerLoop loop);

    void processed(WorkerLoop loop);
}
