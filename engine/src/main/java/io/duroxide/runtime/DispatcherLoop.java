package io.duroxide.runtime;

import io.duroxide.observe.DispatcherLoopView;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A fetcher thread and a pool of slot threads: the fetcher leases as many items as there are idle
 * slots, in one provider call, and hands each to a slot that processes it. One fetch for several
 * items matters because every provider call is a write transaction and fan-outs make work arrive
 * in bursts. {@link #process(Object)} is the observation point for dispatcher activity: each call is
 * one item, and its duration is time the slot was busy. {@link #workerId()} names this dispatcher
 * (one per runtime and type, so it stays bounded) and {@link #slots()} is its concurrency.
 *
 * <p>A loop may lease items ahead of its slots ({@link #leaseAhead()}): a slot that finishes takes
 * the next leased item itself, without waiting for the fetcher. With more than one item ahead the
 * fetcher refills only when half of them are used up, so a slot finishing an item does not wake it
 * each time (on a busy machine every such wake-up can cost the slot its CPU), and one fetch carries
 * several items.
 *
 * <p>A slot may also take an item that did not come from the fetcher ({@link #reserveIdleSlot}): an eager start,
 * whose instance the client stored already locked for this runtime.
 */
abstract class DispatcherLoop<T> implements DispatcherLoopView {
    private static final System.Logger LOG = System.getLogger(DispatcherLoop.class.getName());

    private final String workerType;
    private final String workerId;
    private final int slots;
    private final int prefetch;
    private final Provider provider;
    private final Duration pollInterval;
    private final Wakeup wakeup;
    /** Guards {@link #held}; the fetcher waits on {@link #room} for room to lease more (or for the stop). */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    /** Items leased or being leased and not finished yet (waiting for a slot or in one). */
    private int held;
    /** How many of {@link #held} the fetch in flight reserved: slots it may fill, not items in them yet. */
    private int fetching;
    /** Whether the last fetch left nothing ready behind it (it got fewer items than it asked for). */
    private boolean drained = true;
    private Thread fetcher;
    private ThreadPoolExecutor slotThreads;
    private volatile boolean running;

    /**
     * @param prefetch items leased beyond the idle slots (unless {@link #leaseAhead()} says otherwise), so
     *     that a slot finishing one item finds the next one already leased instead of waiting for a fetch;
     *     they wait in this process with their locks running
     */
    DispatcherLoop(String workerType, String workerId, int slots, int prefetch, Provider provider, Duration pollInterval,
            Wakeup wakeup) {
        if (slots < 1) {
            throw new IllegalArgumentException(workerType + " concurrency must be at least 1, was " + slots);
        }
        this.workerType = workerType;
        this.workerId = workerId;
        this.slots = slots;
        this.prefetch = prefetch;
        this.provider = provider;
        this.pollInterval = pollInterval;
        this.wakeup = wakeup;
    }

    @Override
    public final String workerType() {
        return workerType;
    }

    @Override
    public final String workerId() {
        return workerId;
    }

    @Override
    public final int slots() {
        return slots;
    }

    @Override
    public final Provider provider() {
        return provider;
    }

    /** Fetches up to {@code max} items ready now; an empty list when there are none. */
    protected abstract List<T> fetch(int max);

    /** Processes one fetched item to the end: committed, completed or abandoned. Never throws. */
    public abstract void process(T item);

    /**
     * Writes what {@link #process} left for the fetcher to write in bulk. Runs on the fetcher thread
     * after every fetch, and once more when the loop stops after the slots finished.
     */
    protected void flush() {}

    /**
     * Gives back an item that was leased (ahead, or for a reserved slot) but not started when the loop stopped.
     * Never throws.
     */
    protected void release(T item) {}

    /**
     * How many items to hold leased beyond the slots, asked before every fetch: the constructor's
     * {@code prefetch} unless overridden. Above 1, the fetcher refills when half of them are used up.
     */
    protected int leaseAhead() {
        return prefetch;
    }

    /**
     * How often the fetcher, while it waits for room to lease more, calls {@link #flush} anyway, so what
     * {@link #process} left is written without waiting for the next fetch; {@code null} (the default): never.
     */
    protected Duration flushPeriod() {
        return null;
    }

    /** Wakes the fetcher if it waits for work, e.g. because {@link #process} left something to {@link #flush}. */
    protected final void wakeFetcher() {
        wakeup.signal();
    }

    final synchronized void start() {
        held = 0;
        fetching = 0;
        drained = true;
        AtomicInteger slotNumber = new AtomicInteger();
        slotThreads = new ThreadPoolExecutor(slots, slots, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, workerId + "-" + slotNumber.getAndIncrement()));
        running = true; // after the pool exists: reserveIdleSlot may hand it an item as soon as this is seen
        fetcher = daemon(this::runFetcher, workerId + "-fetch");
        fetcher.start();
    }

    /** Stops fetching and waits for items in progress to finish, up to the grace period. */
    final synchronized void stop(Duration grace) throws InterruptedException {
        if (fetcher == null) {
            return;
        }
        running = false;
        wakeup.signal();
        lock.lock();
        try {
            room.signalAll(); // a fetcher waiting for room sees the stop at once
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        TimeUnit.NANOSECONDS.timedJoin(fetcher, Math.max(1, deadline - System.nanoTime()));
        List<Runnable> notStarted = new ArrayList<>();
        slotThreads.getQueue().drainTo(notStarted);
        for (Runnable task : notStarted) {
            @SuppressWarnings("unchecked")
            T item = ((ItemTask<T>) task).item();
            release(item);
        }
        slotThreads.shutdown();
        if (!slotThreads.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            slotThreads.shutdownNow();
            slotThreads.awaitTermination(1, TimeUnit.SECONDS);
        }
        fetcher.interrupt();
        fetcher.join(1000);
        fetcher = null;
        flush();
    }

    final boolean isRunning() {
        return running;
    }

    /**
     * Takes an idle slot for an item that comes from elsewhere than the fetcher (an eager start), if the loop runs,
     * a slot has no item now, and the last fetch left nothing ready: work that waits in the queue goes first.
     * {@link #runInReservedSlot} or {@link #releaseReservedSlot} must follow. A slot the fetch in flight reserved
     * counts as idle, so the fetcher cannot crowd out such items; if that fetch then fills every slot it reserved,
     * one of its items waits for the next slot that frees.
     */
    protected final boolean reserveIdleSlot() {
        lock.lock();
        try {
            if (!running || !drained || held - fetching >= slots) {
                return false;
            }
            held++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Processes the item in the slot {@link #reserveIdleSlot} took; if the loop stopped meanwhile, releases it. */
    protected final void runInReservedSlot(T item) {
        try {
            slotThreads.execute(new ItemTask<>(item, this::runItem));
        } catch (RejectedExecutionException e) {
            finished();
            release(item);
        }
    }

    /** Gives back the slot {@link #reserveIdleSlot} took, unused. */
    protected final void releaseReservedSlot() {
        finished();
    }

    private void runFetcher() {
        int failures = 0;
        while (running) {
            long seen = wakeup.generation();
            int reserved = 0;
            try {
                reserved = awaitRoom();
                if (!running) {
                    return;
                }
                List<T> items = reserved > 0 ? fetch(reserved) : List.of();
                failures = 0;
                boolean leftNothing = items.size() < reserved;
                for (T item : items) {
                    slotThreads.execute(new ItemTask<>(item, this::runItem));
                    reserved--;
                }
                fetchEnded(reserved, leftNothing);
                reserved = 0;
                flush(); // after handing out new work, so the slots run while this writes
                if (items.isEmpty() && !flushOnly) {
                    wakeup.awaitAfter(seen, pollInterval);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ProviderException e) {
                failures++;
                long backoffMs = Math.min(100L << Math.min(failures, 5), 3000);
                LOG.log(Level.WARNING, workerId + ": fetch failed (" + e.getMessage() + "), retrying in " + backoffMs + " ms");
                if (!sleep(backoffMs)) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, workerId + ": unexpected error, fetcher continues", e);
                if (!sleep(100)) {
                    return;
                }
            } finally {
                if (reserved > 0) {
                    fetchEnded(reserved, false);
                }
            }
        }
    }

    /** Set by {@link #awaitRoom()} when it returned only because {@link #flush} had something to write. */
    private boolean flushOnly;

    /**
     * Waits until there is room to lease: a slot is idle, or the items leased ahead are down to half.
     * Returns how many to fetch, reserved in {@link #held}; 0 if it returned to let {@link #flush} write
     * (every {@link #flushPeriod()}) or because the loop stops.
     */
    private int awaitRoom() throws InterruptedException {
        lock.lock();
        try {
            flushOnly = false;
            while (running) {
                int ahead = Math.max(0, leaseAhead());
                int capacity = slots + ahead;
                if (held < slots || (held - slots <= ahead / 2 && held < capacity)) {
                    int max = capacity - held;
                    held = capacity;
                    fetching = max;
                    return max;
                }
                Duration period = flushPeriod();
                if (period == null) {
                    room.await();
                } else if (!room.await(period.toNanos(), TimeUnit.NANOSECONDS)) {
                    flushOnly = true;
                    return 0;
                }
            }
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** The fetch in flight handed out its items: its {@code unused} reservations are given back. */
    private void fetchEnded(int unused, boolean leftNothing) {
        lock.lock();
        try {
            held -= unused;
            fetching = 0;
            drained = leftNothing;
        } finally {
            lock.unlock();
        }
    }

    private void runItem(T item) {
        try {
            process(item);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, workerId + ": unexpected error while processing an item", e);
        } finally {
            finished();
        }
    }

    /**
     * One item less held; wakes the fetcher only when that makes room to lease (a slot goes idle, or
     * the items ahead are down to half), so a slot that takes the next leased item goes on without it.
     */
    private void finished() {
        lock.lock();
        try {
            held--;
            int ahead = Math.max(0, leaseAhead());
            if (held < slots || held - slots <= ahead / 2) {
                room.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A leased item waiting for a slot; the stop recovers the item from the ones that never started. */
    private record ItemTask<T>(T item, Consumer<T> body) implements Runnable {
        @Override
        public void run() {
            body.accept(item);
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
