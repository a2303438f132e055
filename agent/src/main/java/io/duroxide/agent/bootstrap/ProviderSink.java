package io.duroxide.agent.bootstrap;

/** Receives finished provider SPI calls. JDK types only (lives in the bootstrap loader). */
public interface ProviderSink {
    /** @param error what the call threw, or null */
    void operation(String method, long durationNanos, Throwable error);
}
