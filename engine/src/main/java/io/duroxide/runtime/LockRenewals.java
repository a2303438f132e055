package io.duroxide.runtime;

import io.duroxide.provider.LockLostException;
import io.duroxide.provider.ProviderException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the locks of work in progress alive. One periodic sweep renews each held lock when it is due,
 * instead of a timer per work item: a timer each cost a scheduler wake-up (a context switch) and left a
 * cancelled task in the timer queue for every turn and every activity attempt, which at a few thousand
 * items per second was a measurable share of the runtime's CPU.
 *
 * <p>A lock is renewed between {@code period} and {@code period + tick} after it was taken or last renewed;
 * the runtime keeps {@code period + tick} well below the lock timeout ({@link RuntimeOptions#renewalTick()}).
 */
final class LockRenewals {
    /** One renewal of a lock; throws {@link LockLostException} when the lock is no longer held. */
    @FunctionalInterface
    interface Renewal {
        void renew() throws ProviderException;
    }

    private final Set<Held> held = ConcurrentHashMap.newKeySet();

    LockRenewals(ScheduledExecutorService scheduler, Duration tick) {
        long ms = Math.max(1, tick.toMillis());
        scheduler.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Renews every {@code period} until the returned lock is closed; {@code onLost} runs once if it was lost. */
    Held hold(Duration period, Renewal renewal, Runnable onLost) {
        Held h = new Held(period.toNanos(), renewal, onLost);
        held.add(h);
        return h;
    }

    /** Locks held now; for tests. */
    int size() {
        return held.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Held h : held) {
            if (now - h.due >= 0) {
                h.renew(now);
            }
        }
    }

    /** A lock being kept alive; closing it stops the renewals. */
    final class Held implements AutoCloseable {
        private final long periodNanos;
        private final Renewal renewal;
        private final Runnable onLost;
        private volatile long due;

        private Held(long periodNanos, Renewal renewal, Runnable onLost) {
            this.periodNanos = periodNanos;
            this.renewal = renewal;
            this.onLost = onLost;
            this.due = System.nanoTime() + periodNanos;
        }

        private void renew(long now) {
            try {
                renewal.renew();
                due = now + periodNanos;
            } catch (LockLostException e) {
                held.remove(this);
                onLost.run();
            } catch (RuntimeException e) {
                // Transient storage trouble: the next sweep tries again before the lock runs out.
            }
        }

        @Override
        public void close() {
            held.remove(this);
        }
    }
}
