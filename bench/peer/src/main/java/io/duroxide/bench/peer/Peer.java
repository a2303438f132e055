package io.duroxide.bench.peer;

/** One engine inside a child process of the comparison: set up before the round, then asked to start workflows. */
interface Peer extends AutoCloseable {
    /** Starts one workflow of the round's workload under {@code id}, without waiting for it. */
    void start(String id, int input) throws Exception;

    /** Waits until the workflow {@code id} has completed; throws if it ends otherwise or takes minutes. */
    void awaitCompletion(String id) throws Exception;

    @Override
    void close() throws Exception;
}
