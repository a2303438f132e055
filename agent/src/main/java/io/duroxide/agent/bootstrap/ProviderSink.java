package io.duroxide.agent.bootstrap;

/** Receives finished provider SPI calls. JDK types only (lives in the bootstrap loader). */
public interface ProviderSink {
    /**
     * Whether the duration of a successful call is wanted ({@code DUROXIDE_METRICS_SAMPLE_RATE}). The bridge asks
     * before it reads the clock at the call's end, so a success left out of the histogram costs no clock read.
     */
    default boolean measureSuccess() {
        return true;
    }

    /** Reads {@code call} during the call only (see {@link ProviderCall}). */
    void operation(ProviderCall call);
}
