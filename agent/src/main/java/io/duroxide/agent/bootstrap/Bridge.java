package io.duroxide.agent.bootstrap;

import java.time.Instant;
import java.util.List;

/**
 * The only agent class that woven engine code calls. It is injected into the bootstrap class loader at
 * premain, so it is visible from any class loader, also an isolated one whose parent is not the system
 * loader. It therefore uses JDK types only: advice extracts the values it needs from the engine's own
 * types (inlined in the engine's class loader) and passes plain values here. The sinks are installed by
 * the agent once its recorders exist; until then, and whenever a category is disabled, calls are no-ops.
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

    /** Per-thread nesting depth of instrumented provider and activity calls, so only the outermost one counts. */
    private static final ThreadLocal<int[]> PROVIDER_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private static final ThreadLocal<int[]> ACTIVITY_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    // ---------------------------------------------------------------- orchestration

    public static void turnCommitted(
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
            s.turnCommitted(orchestrationName, version, executionId, initiatedBy, startsExecution, outcome,
                    failureKind, classChain, errorMessage, errorCode, turnCount, historySize, nanos,
                    parentOrchestration);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    // ---------------------------------------------------------------- activity

    /**
     * The calling thread's nesting depth of activity attempts: read once per attempt by the advice, which
     * keeps it in a local and passes it to enter and exit (one thread-local lookup per attempt, not two).
     */
    public static int[] activityDepth() {
        return depth(ACTIVITY_DEPTH);
    }

    /** Enter of an activity attempt: returns the start time, or -1 when nested inside another measured attempt. */
    public static long activityEnter(int[] depth) {
        try {
            if (depth == null) {
                return -1L;
            }
            return depth[0]++ == 0 ? System.nanoTime() : -1L;
        } catch (Throwable t) {
            return -1L;
        }
    }

    /** Exit of an activity attempt. {@code failureType} null means success. */
    public static void activityExit(
            int[] depth,
            long start,
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
            long nanos = leave(depth, start);
            ActivitySink s = activity;
            if (nanos >= 0 && s != null) {
                s.attempt(activityName, retryAttempt, failureType, willRetry, failureKind, errorType, errorCode,
                        retryable, errorMessage, nanos);
            }
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    // ---------------------------------------------------------------- provider

    /** The calling thread's nesting depth of provider calls; see {@link #activityDepth()}. */
    public static int[] providerDepth() {
        return depth(PROVIDER_DEPTH);
    }

    /** Enter of a provider SPI method: the start time, or -1 when nested or called by the agent itself. */
    public static long providerEnter(int[] depth) {
        try {
            if (depth == null || depth[0]++ != 0 || Thread.currentThread() == agentThread) {
                return -1L;
            }
            return System.nanoTime();
        } catch (Throwable t) {
            return -1L;
        }
    }

    public static void providerExit(int[] depth, long start, String method, Throwable error) {
        try {
            long nanos = leave(depth, start);
            ProviderSink s = provider;
            if (nanos >= 0 && s != null) {
                s.operation(method, nanos, error);
            }
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static int[] depth(ThreadLocal<int[]> perThread) {
        try {
            return perThread.get();
        } catch (Throwable t) {
            return null;
        }
    }

    /** Leaves one nesting level: the nanoseconds since {@code start}, or -1 when this call is not measured. */
    private static long leave(int[] depth, long start) {
        if (depth == null) {
            return -1L;
        }
        depth[0]--;
        return start == -1L ? -1L : Math.max(0, System.nanoTime() - start);
    }

    // ---------------------------------------------------------------- worker loops

    public static void loopStarted(Object loop, String workerType, String workerId, int slots, Object provider) {
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
        try {
            WorkerSink s = worker;
            if (s != null) {
                s.stopped(loop, workerType, workerId);
            }
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    public static long now() {
        return System.nanoTime();
    }

    public static void processed(long start, Object loop, String workerType, String workerId, int slots) {
        try {
            WorkerSink s = worker;
            if (s != null) {
                s.processed(loop, workerType, workerId, slots, System.nanoTime() - start);
            }
        } catch (Throwable ignored) {
            // never into the application
        }
    }
}
