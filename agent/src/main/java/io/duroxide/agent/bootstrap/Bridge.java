package io.duroxide.agent.bootstrap;

/**
 * The only agent class that woven engine code calls. It is injected into the bootstrap class loader at
 * premain, so it is visible from any class loader, also an isolated one whose parent is not the system
 * loader. It therefore uses JDK types only: advice (inlined in the engine's class loader) reads the values it needs
 * from the engine's own types into one event of JDK types per hook ({@link TurnCommitted}, {@link ActivityAttempt},
 * {@link ProviderCall}, {@link WorkerLoop}) and hands it here; the bridge passes it to its sink unchanged, except
 * that it times the outermost provider call. The sinks are installed by
 * the agent once its recorders exist. Until then ({@link #hold} to {@link #open}) calls are kept in
 * order and replayed into the sinks when they are installed, so the engine can run woven code before the
 * metrics registry exists and no count is lost (a held event is a copy: the thread reuses its own); a call never waits unless the held calls reach
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
     * Each thread's provider call (see {@link ProviderCall}). Activity attempts need no nesting guard: the engine's
     * worker calls the invoker once per attempt and nothing else can (its constructor is package-private).
     */
    private static final ThreadLocal<ProviderCall> PROVIDER_CALLS = ThreadLocal.withInitial(ProviderCall::new);

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

    /**
     * Holds {@code copy}, a copy of an event (the thread reuses the original), if the agent is still starting: true if it
     * was taken (queued, or dropped after the timeout). The copy is made before the call is known to be held, so only
     * while the agent starts.
     */
    private static <E> boolean held(E copy, java.util.function.Consumer<E> delivery) {
        return held(() -> delivery.accept(copy));
    }

    // ---------------------------------------------------------------- orchestration

    public static void turnCommitted(TurnCommitted turn) {
        try {
            if (holding && held(turn.copy(), Bridge::deliver)) {
                return;
            }
            deliver(turn);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void deliver(TurnCommitted turn) {
        OrchestrationSink s = orchestration;
        if (s != null) {
            s.turnCommitted(turn);
        }
    }

    // ---------------------------------------------------------------- activity

    public static void activityAttempted(ActivityAttempt attempt) {
        try {
            if (holding && held(attempt.copy(), Bridge::deliver)) {
                return;
            }
            deliver(attempt);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void deliver(ActivityAttempt attempt) {
        ActivitySink s = activity;
        if (s != null) {
            s.attempt(attempt);
        }
    }

    // ---------------------------------------------------------------- provider

    /** Enter of a provider SPI method: the thread's call, for {@link #providerExit}; null on failure. */
    public static ProviderCall providerEnter() {
        try {
            ProviderCall call = PROVIDER_CALLS.get();
            if (call.depth++ == 0) {
                call.start = Thread.currentThread() == agentThread ? -1L : System.nanoTime();
            }
            return call;
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Exit of a provider SPI method, its {@code method} and {@code error} filled; records it when it was the outermost
     * measured call of its thread. Whether a success's duration is sampled is decided before the clock is read; calls
     * held before the sink exists are sampled when they are replayed.
     */
    public static void providerExit(ProviderCall call) {
        try {
            if (--call.depth != 0 || call.start == -1L) {
                return;
            }
            ProviderSink s = provider;
            boolean decided = s != null;
            call.durationNanos = decided && leftOut(s, call) ? ProviderCall.UNMEASURED : System.nanoTime() - call.start;
            if (holding && held(call.copy(), decided ? Bridge::deliver : Bridge::sampleAndDeliver)) {
                return;
            }
            deliver(call);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void deliver(ProviderCall call) {
        ProviderSink s = provider;
        if (s != null) {
            s.operation(call);
        }
    }

    /** A held call whose sink did not exist at its exit: whether its duration is wanted is asked now. */
    private static void sampleAndDeliver(ProviderCall call) {
        ProviderSink s = provider;
        if (s != null) {
            if (leftOut(s, call)) {
                call.durationNanos = ProviderCall.UNMEASURED;
            }
            s.operation(call);
        }
    }

    /** A success whose duration the sink's sampler does not want. */
    private static boolean leftOut(ProviderSink s, ProviderCall call) {
        return call.error == null && !s.measureSuccess();
    }

    // ---------------------------------------------------------------- worker loops

    public static void loopStarted(WorkerLoop loop) {
        try {
            if (holding && held(loop.copy(), Bridge::started)) {
                return;
            }
            started(loop);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void started(WorkerLoop loop) {
        WorkerSink s = worker;
        if (s != null) {
            s.started(loop);
        }
        OrchestrationSink o = orchestration;
        if (o != null) {
            o.providerSeen(loop.provider);
        }
    }

    public static void loopStopped(WorkerLoop loop) {
        try {
            if (holding && held(loop.copy(), Bridge::stopped)) {
                return;
            }
            stopped(loop);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void stopped(WorkerLoop loop) {
        WorkerSink s = worker;
        if (s != null) {
            s.stopped(loop);
        }
    }

    public static void itemProcessed(WorkerLoop loop) {
        try {
            if (holding && held(loop.copy(), Bridge::processed)) {
                return;
            }
            processed(loop);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    private static void processed(WorkerLoop loop) {
        WorkerSink s = worker;
        if (s != null) {
            s.processed(loop);
        }
    }
}
