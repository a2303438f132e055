package io.duroxide.agent.bootstrap;

import java.time.Instant;
import java.util.List;

/**
 * The only agent class that woven engine code calls. It is injected into the bootstrap class loader at
 * premain, so it is visible from any class loader, also an isolated one whose parent is not the system
 * loader. It therefore uses JDK types only: advice extracts the values it needs from the engine's own
 * types (inlined in the engine's class loader) and passes plain values here. The sinks are installed by
 * the agent once its recorders exist. Until then ({@link #hold} to {@link #open}) calls are kept in
 * order and replayed into the sinks when they are installed, so the engine can run woven code before the
 * metrics registry exists and no count is lost; a call never waits unless the held calls reach
 * {@link #HELD_CAP}, and at {@link #BACKLOG_SIGNAL} the agent is told to build its recorders. Whenever a
 * category is disabled its calls are no-ops.
 *
 * <p>Nothing in here may throw into the application: every method catches {@link Throwable}.
 */
public final class Bridge {
    private Bridge() {}

    public static volatile OrchestrationSink orchestration;
    public static volatile ActivitySink activity;
    public static volatile ProviderSink provider;
    public static volatile WorkerSink worker;

    /** The agent's own gauge-polling thread: provider calls it makes are not measured. */
    public static volatile Thread agentThread;

    /**
     * One thread's instrumented provider calls in progress, so only the outermost one counts (a provider may
     * delegate to another). The enter advice hands it to the exit advice, so a call looks it up once.
     * Activity attempts need no guard: the engine's worker calls the invoker once per attempt and nothing
     * else can (its constructor is package-private).
     */
    public static final class ProviderCalls {
        private int depth;
        /** Start of the outermost call, or -1 when it is not measured (the agent's own thread). */
        private long start;

        private ProviderCalls() {}
    }

    private static final ThreadLocal<ProviderCalls> PROVIDER_CALLS = ThreadLocal.withInitial(ProviderCalls::new);

    // ---------------------------------------------------------------- start-up: held calls

    /** Held calls beyond this wait for {@link #open} (bounded by the agent's init timeout) instead of growing the queue. */
    static final int HELD_CAP = 100_000;

    /** When this many calls are held, {@link #onBacklog} is told: the agent then builds its sinks without waiting for a scrape. */
    public static final int BACKLOG_SIGNAL = 10_000;

    /** Run (under the hold lock, so it must only signal) when the held calls reach {@link #BACKLOG_SIGNAL}. */
    public static volatile Runnable onBacklog;

    private static final Object HELD_LOCK = new Object();

    /** True from {@link #hold} until {@link #open}: calls are queued (guarded by {@link #HELD_LOCK}). */
    private static volatile boolean holding;

    private static java.util.ArrayDeque<Runnable> held = new java.util.ArrayDeque<>();

    private static long holdTimeoutMillis;

    /** The thread replaying the held calls in {@link #open}: its calls go through (guarded by {@link #HELD_LOCK}). */
    private static Thread replayer;

    /** Called by the agent at premain, before anything is woven: calls are held until {@link #open}. */
    public static void hold(long timeoutMillis) {
        synchronized (HELD_LOCK) {
            holdTimeoutMillis = timeoutMillis;
            holding = true;
        }
    }

    /**
     * Called by the agent once the sinks are installed (or it gave up: sinks left null drop the held calls):
     * replays the held calls in order, then lets calls through directly. Calls made during the replay are held
     * too (without waiting) and replayed after the ones before them, so the sinks see every call in order.
     */
    public static void open() {
        synchronized (HELD_LOCK) {
            if (!holding) {
                return;
            }
            replayer = Thread.currentThread();
        }
        while (true) {
            java.util.ArrayDeque<Runnable> batch;
            synchronized (HELD_LOCK) {
                batch = held;
                held = new java.util.ArrayDeque<>(batch.isEmpty() ? 0 : 16);
                if (batch.isEmpty()) {
                    replayer = null;
                    holding = false;
                }
                HELD_LOCK.notifyAll();
            }
            if (batch.isEmpty()) {
                return;
            }
            for (Runnable call : batch) {
                try {
                    call.run();
                } catch (Throwable ignored) {
                    // one bad call does not drop the rest
                }
            }
        }
    }

    /** Holds {@code call} if the agent is still starting: true if it was taken (queued, or dropped after the timeout). */
    private static boolean held(Runnable call) {
        synchronized (HELD_LOCK) {
            if (Thread.currentThread() == replayer) {
                return false;
            }
            long deadline = 0;
            while (holding && held.size() >= HELD_CAP) {
                long now = System.currentTimeMillis();
                if (deadline == 0) {
                    deadline = now + holdTimeoutMillis;
                }
                if (now >= deadline) {
                    System.err.println("[duroxide-agent] WARNING: metrics not ready after " + holdTimeoutMillis
                            + " ms; the calls held meanwhile are dropped (raise DUROXIDE_METRICS_INIT_TIMEOUT)");
                    held.clear();
                    break;
                }
                try {
                    HELD_LOCK.wait(deadline - now);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return true;
                }
            }
            if (!holding) {
                return false;
            }
            held.add(call);
            if (held.size() == BACKLOG_SIGNAL) {
                Runnable signal = onBacklog;
                if (signal != null) {
                    signal.run();
                }
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- orchestration

    public static void turnCommitted(
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
            Instant executionStartedAt,
            Instant committedAt,
            String parentOrchestration) {
        if (holding && held(() -> turnCommitted(instanceId, orchestrationName, version, executionId, initiatedBy, startsExecution, outcome,
                failureKind, classChain, errorMessage, errorCode, turnCount, historySize, executionStartedAt, committedAt,
                parentOrchestration))) {
            return;
        }
        OrchestrationSink s = orchestration;
        if (s == null) {
            return;
        }
        try {
            long nanos = -1;
            if (executionStartedAt != null && committedAt != null) {
                nanos = (committedAt.getEpochSecond() - executionStartedAt.getEpochSecond()) * 1_000_000_000L
                        + (committedAt.getNano() - executionStartedAt.getNano());
            }
            s.turnCommitted(instanceId, orchestrationName, version, executionId, initiatedBy, startsExecution, outcome,
                    failureKind, classChain, errorMessage, errorCode, turnCount, historySize, nanos,
                    parentOrchestration);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    // ---------------------------------------------------------------- activity

    /**
     * A finished activity attempt. {@code durationNanos} is the engine's own measurement of the attempt
     * ({@code ActivityOutcome#durationNanos()}); {@code failureType} null means success; {@code instanceId} and
     * {@code executionId} are those of the orchestration that scheduled the activity.
     */
    public static void activityExit(
            long durationNanos,
            String instanceId,
            long executionId,
            String activityName,
            int retryAttempt,
            String failureType,
            boolean willRetry,
            String failureKind,
            String errorType,
            String errorCode,
            boolean retryable,
            String errorMessage) {
        try {
            if (holding && held(() -> activityAttempt(instanceId, executionId, activityName, retryAttempt, failureType, willRetry,
                    failureKind, errorType,
                    errorCode, retryable, errorMessage, durationNanos))) {
                return;
            }
            activityAttempt(instanceId, executionId, activityName, retryAttempt, failureType, willRetry, failureKind, errorType,
                    errorCode, retryable, errorMessage, durationNanos);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void activityAttempt(String instanceId, long executionId, String activityName, int retryAttempt, String failureType, boolean willRetry,
            String failureKind, String errorType, String errorCode, boolean retryable, String errorMessage, long nanos) {
        ActivitySink s = activity;
        if (s != null) {
            s.attempt(instanceId, executionId, activityName, retryAttempt, failureType, willRetry, failureKind, errorType, errorCode, retryable,
                    errorMessage, nanos);
        }
    }

    // ---------------------------------------------------------------- provider

    /** Enter of a provider SPI method: the thread's calls in progress, for {@link #providerExit}; null on failure. */
    public static ProviderCalls providerEnter() {
        try {
            ProviderCalls calls = PROVIDER_CALLS.get();
            if (calls.depth++ == 0) {
                calls.start = Thread.currentThread() == agentThread ? -1L : System.nanoTime();
            }
            return calls;
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Exit of a provider SPI method; records it when it was the outermost measured call of its thread. Whether a
     * success's duration is sampled is decided before the clock is read; calls held before the sink exists are
     * sampled when they are replayed.
     */
    public static void providerExit(ProviderCalls calls, String method, Throwable error) {
        try {
            if (calls == null || --calls.depth != 0 || calls.start == -1L) {
                return;
            }
            ProviderSink s = provider;
            boolean decided = s != null;
            long nanos = decided && leftOut(s, error) ? ProviderSink.UNMEASURED : System.nanoTime() - calls.start;
            if (holding && held(() -> providerOperation(method, nanos, error, !decided))) {
                return;
            }
            providerOperation(method, nanos, error, !decided);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    /** {@code sample}: the sink did not exist at the call's exit, so whether its duration is wanted is asked now. */
    private static void providerOperation(String method, long nanos, Throwable error, boolean sample) {
        ProviderSink s = provider;
        if (s != null) {
            s.operation(method, sample && leftOut(s, error) ? ProviderSink.UNMEASURED : nanos, error);
        }
    }

    /** A success whose duration the sink's sampler does not want. */
    private static boolean leftOut(ProviderSink s, Throwable error) {
        return error == null && !s.measureSuccess();
    }

    // ---------------------------------------------------------------- worker loops

    public static void loopStarted(Object loop, String workerType, String workerId, int slots, Object provider) {
        if (holding && held(() -> loopStarted(loop, workerType, workerId, slots, provider))) {
            return;
        }
        try {
            WorkerSink s = worker;
            if (s != null) {
                s.started(loop, workerType, workerId, slots, provider);
            }
            OrchestrationSink o = orchestration;
            if (o != null) {
                o.providerSeen(provider);
            }
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    public static void loopStopped(Object loop, String workerType, String workerId) {
        if (holding && held(() -> loopStopped(loop, workerType, workerId))) {
            return;
        }
        try {
            WorkerSink s = worker;
            if (s != null) {
                s.stopped(loop, workerType, workerId);
            }
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    public static void processed(long start, Object loop, String workerType, String workerId, int slots) {
        try {
            long nanos = System.nanoTime() - start;
            if (holding && held(() -> workerProcessed(loop, workerType, workerId, slots, nanos))) {
                return;
            }
            workerProcessed(loop, workerType, workerId, slots, nanos);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void workerProcessed(Object loop, String workerType, String workerId, int slots, long nanos) {
        WorkerSink s = worker;
        if (s != null) {
            s.processed(loop, workerType, workerId, slots, nanos);
        }
    }
}
