package io.duroxide.agent.bootstrap;

/**
 * One provider SPI call, carried from the enter advice to the exit advice like an OpenTelemetry advice scope. Each
 * thread has one ({@link Bridge#providerEnter}), which also counts the thread's instrumented calls in progress so
 * only the outermost one is recorded (a provider may delegate to another). JDK types only (bootstrap loader).
 *
 * <p>The exit advice fills {@link #method} and {@link #error}, the bridge {@link #durationNanos}. Whoever receives
 * it reads it during the call and keeps nothing: the thread's next call overwrites it (the bridge keeps a
 * {@link #copy} of a call it holds while the agent starts).
 */
public final class ProviderCall {
    /** {@link #durationNanos} of a successful call the sink's sampler left out of the duration histogram. */
    public static final long UNMEASURED = Long.MIN_VALUE;

    /** The SPI method's name. */
    public String method;
    /** What the call threw, or null. */
    public Throwable error;
    /** The call's duration, or {@link #UNMEASURED}. */
    public long durationNanos;

    /** Instrumented calls of this thread in progress (bridge only). */
    int depth;
    /** Start of the outermost call, or -1 when it is not measured: the agent's own thread (bridge only). */
    long start;

    /** A new call with this one's values (a held call must survive the thread's next one). */
    ProviderCall copy() {
        ProviderCall c = new ProviderCall();
        c.method = method;
        c.error = error;
        c.durationNanos = durationNanos;
        return c;
    }
}
