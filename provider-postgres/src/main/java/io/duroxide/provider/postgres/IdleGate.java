package io.duroxide.provider.postgres;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides whether a fetch of one queue needs to ask the database. After a fetch that found nothing
 * the queue is known to be idle until one of three things happens: a notification says work was
 * added or released (see {@link WorkListener}; this process's own writes count too), the earliest
 * time at which something already stored becomes ready (a timer, an expiring lock) passes, or
 * {@code maxIdleWait} passes (a safety net for notifications lost while the listener reconnects).
 * Until then fetches return empty without a query, so idle runtimes cost the database almost nothing
 * whatever their poll interval and slot count.
 *
 * <p>Races are harmless: a notification that arrives while a fetch is running bumps the generation,
 * which voids the idle verdict that fetch is about to record.
 */
final class IdleGate {
    /**
     * A queue must have been found empty for this long before fetches skip the database, so that the
     * short gaps of a busy system (and a caller that looks again right after another process wrote)
     * never wait for a notification.
     */
    static final long GRACE_NANOS = Duration.ofMillis(250).toNanos();

    private final long maxIdleNanos;
    private volatile long idleSinceNanos;
    private volatile boolean streak;
    private final AtomicLong generation = new AtomicLong();
    private volatile long idleGeneration = -1;
    private volatile long idleUntilNanos;

    IdleGate(Duration maxIdleWait) {
        this.maxIdleNanos = maxIdleWait.toNanos();
    }

    /** Something may have become ready. */
    void wake() {
        generation.incrementAndGet();
    }

    /** Taken before a fetch's query, handed back to {@link #idle} if the fetch found nothing. */
    long generation() {
        return generation.get();
    }

    /** Whether the last verdict still says the queue is idle, so the fetch may skip the database. */
    boolean isIdle() {
        return idleGeneration == generation.get() && System.nanoTime() - idleUntilNanos < 0;
    }

    /**
     * Records that a fetch started at {@code seenGeneration} found nothing, and that nothing stored
     * becomes ready for {@code nextDue} (null: nothing is scheduled).
     */
    void idle(long seenGeneration, Duration nextDue) {
        long now = System.nanoTime();
        if (!streak) {
            streak = true;
            idleSinceNanos = now;
        }
        if (now - idleSinceNanos < GRACE_NANOS) {
            return;
        }
        long wait = nextDue == null ? maxIdleNanos : Math.min(maxIdleNanos, Math.max(0, nextDue.toNanos()));
        idleUntilNanos = now + wait;
        idleGeneration = seenGeneration;
    }

    /** Work was found: the next fetch asks the database again. */
    void busy() {
        streak = false;
        idleGeneration = -1;
    }
}
