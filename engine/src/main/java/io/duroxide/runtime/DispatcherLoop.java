package io.duroxide.runtime;

import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A fetcher thread and a pool of slot threads: the fetcher leases as many items as there are idle
 * slots, in one provider call, and hands each to a slot that processes it. One fetch for several
 * items matters because every provider call is a write transaction and fan-outs make work arrive
 * in bursts. {@link #process(Object)} is the observation point for dispatcher activity: each call is
 * one item, and its duration is time the slot was busy. {@link #workerId()} names this dispatcher
 * (one per runtime and type, so it stays bounded) and {@link #slots()} is its concurrency.
 */
public abstract class DispatcherLoop<T> {
    private static final System.Logger LOG = System.getLogger(DispatcherLoop.class.getName());

    private final String workerType;
    private final String workerId;
    private final int slots;
    private final int prefetch;
    private final Provider provider;
    private final Duration pollInterval;
    private final Wakeup wakeup;
    private Semaphore idleSlots;
    private Thread fetcher;
    private ThreadPoolExecutor slotThreads;
    private volatile boolean running;

    /**
     * @param prefetch items leased beyond the idle slots, so that a slot finishing one item finds the next one
     *     already leased instead of waiting for a fetch; they wait in this process with their locks running
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

    /** {@code orchestration} or {@code activity}. */
    public final String workerType() {
        return workerType;
    }

    public final String workerId() {
        return workerId;
    }

    public final int slots() {
        return slots;
    }

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

    /** Gives back an item that was leased ahead but not started when the loop stopped. Never throws. */
    protected void release(T item) {}

    /** Wakes the fetcher if it waits for work, e.g. because {@link #process} left something to {@link #flush}. */
    protected final void wakeFetcher() {
        wakeup.signal();
    }

    final synchronized void start() {
        running = true;
        idleSlots = new Semaphore(slots + prefetch);
        AtomicInteger slotNumber = new AtomicInteger();
        slotThreads = new ThreadPoolExecutor(slots, slots, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, workerId + "-" + slotNumber.getAndIncrement()));
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
        idleSlots.release(); // a fetcher waiting for a free slot sees the stop at once
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

    private void runFetcher() {
        int failures = 0;
        while (running) {
            long seen = wakeup.generation();
            int reserved = 0;
            try {
                idleSlots.acquire();
                reserved = 1 + idleSlots.drainPermits();
                if (!running) {
                    return;
                }
                List<T> items = fetch(reserved);
                failures = 0;
                for (T item : items) {
                    slotThreads.execute(new ItemTask<>(item, this::runItem));
                    reserved--;
                }
                idleSlots.release(reserved);
                reserved = 0;
                flush(); // after handing out new work, so the slots run while this writes
                if (items.isEmpty()) {
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
                idleSlots.release(reserved);
            }
        }
    }

    private void runItem(T item) {
        try {
            process(item);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, workerId + ": unexpected error while processing an item", e);
        } finally {
            idleSlots.release();
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
