package io.duroxide.agent.bootstrap;

/** Receives finished provider SPI calls. JDK types only (lives in the bootstrap loader). */
public interface ProviderSink {
    /** The duration of a successful call that {@link #measureSuccess} left out of the duration histogram. */
    long UNMEASURED = Long.MIN_VALUE;

    /**
     * Whether the duration of a successful call is wanted ({@code DUROXIDE_METRICS_SAMPLE_RATE}). The bridge asks
     * before it reads the clock at the call's end, so a success left out of the histogram costs no clock read.
     */
    default boolean measureSuccess() {
        return true;
    }

    /**
     * @param durationNanos the call's duration, or {@link #UNMEASURED} for a success {@link #measureSuccess} left out
     * @param error what the call threw, or null
     */
    void operation(String method, long durationNanos, Throwable error);
}
