package io.duroxide.agent.bootstrap;

/**
 * A dispatcher loop of the engine ({@code DispatcherLoop}) that started, stopped or processed one item, as the loop
 * advice read it. JDK types only (bootstrap loader).
 *
 * <p>Filled field by field and handed on, like a JFR event: {@link #begin} gives the calling thread's one instance,
 * cleared, so a processed item allocates nothing. Whoever receives it reads it during the call and keeps nothing but
 * the loop and provider references: the thread's next event overwrites it (the bridge keeps a {@link #copy} of an
 * event it holds while the agent starts).
 */
public final class WorkerLoop {
    /** The engine's loop, for the gauge poller to ask for its provider later. */
    public Object loop;
    /** {@code DispatcherLoop#workerType()}: "orchestration" or "activity". */
    public String workerType;
    /** {@code DispatcherLoop#workerId()}: one per runtime and type. */
    public String workerId;
    /** Concurrent slots of the loop. */
    public int slots;
    /** The loop's store, set when the loop starts. */
    public Object provider;
    /** Time one slot spent on the item, set when an item was processed. */
    public long itemNanos;

    private static final WorkerLoop CLEAR = new WorkerLoop();
    private static final ThreadLocal<WorkerLoop> THREAD = ThreadLocal.withInitial(WorkerLoop::new);

    /** The calling thread's event, every field cleared. */
    public static WorkerLoop begin() {
        return THREAD.get().set(CLEAR);
    }

    /** A new event with this one's values (a held event must survive the thread's next one). */
    public WorkerLoop copy() {
        return new WorkerLoop().set(this);
    }

    /** Every field from {@code from}: the one list of the fields besides their declarations. */
    private WorkerLoop set(WorkerLoop from) {
        loop = from.loop;
        workerType = from.workerType;
        workerId = from.workerId;
        slots = from.slots;
        provider = from.provider;
        itemNanos = from.itemNanos;
        return this;
    }
}
