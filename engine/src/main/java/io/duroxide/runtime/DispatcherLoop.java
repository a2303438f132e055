package io.duroxide.runtime;

import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A pool of slot threads that fetch work from the provider and process it one item at a time.
 * {@link #process(Object)} is the observation point for dispatcher activity: each call is one item,
 * and its duration is time the slot was busy. {@link #workerId()} names this dispatcher (one per
 * runtime and type, so it stays bounded) and {@link #slots()} is its concurrency.
 */
public abstract class DispatcherLoop<T> {
    private static final System.Logger LOG = System.getLogger(DispatcherLoop.class.getName());

    private final String workerType;
    private final String workerId;
    private final int slots;
    private final Provider provider;
    private final Duration pollInterval;
    private final Wakeup wakeup;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    DispatcherLoop(String workerType, String workerId, int slots, Provider provider, Duration pollInterval, Wakeup wakeup) {
        if (slots < 1) {
            throw new IllegalArgumentException(workerType + " concurrency must be at least 1, was " + slots);
        }
        this.workerType = workerType;
        this.workerId = workerId;
        this.slots = slots;
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

    /** Fetches the next item, or empty when there is none ready. */
    protected abstract Optional<T> fetch();

    /** Processes one fetched item to the end: committed, completed or abandoned. Never throws. */
    public abstract void process(T item);

    final synchronized void start() {
        running = true;
        for (int i = 0; i < slots; i++) {
            Thread t = new Thread(this::runSlot, workerId + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops fetching and waits for items in progress to finish, up to the grace period. */
    final synchronized void stop(Duration grace) throws InterruptedException {
        running = false;
        wakeup.signal();
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
        }
        for (Thread t : threads) {
            if (t.isAlive()) {
                t.interrupt();
            }
        }
        for (Thread t : threads) {
            t.join(1000);
        }
        threads.clear();
    }

    final boolean isRunning() {
        return running;
    }

    private void runSlot() {
        int failures = 0;
        while (running) {
            long seen = wakeup.generation();
            try {
                Optional<T> item = fetch();
                failures = 0;
                if (item.isPresent()) {
                    process(item.get());
                } else {
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
                LOG.log(Level.ERROR, workerId + ": unexpected error, slot continues", e);
                if (!sleep(100)) {
                    return;
                }
            }
        }
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
