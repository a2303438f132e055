package io.duroxide.agent.bootstrap;

/** Receives dispatcher-loop life-cycle and processed items. JDK types only (lives in the bootstrap loader). */
public interface WorkerSink {
    void started(Object loop, String workerType, String workerId, int slots, Object provider);

    void stopped(Object loop, String workerType, String workerId);

    void processed(Object loop, String workerType, String workerId, int slots, long durationNanos);
}
