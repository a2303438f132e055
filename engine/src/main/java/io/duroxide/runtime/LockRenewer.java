package io.duroxide.runtime;

import io.duroxide.provider.LockLostException;
import io.duroxide.provider.ProviderException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Keeps a lock alive while work runs; reports a lost lock through a callback. */
final class LockRenewer implements AutoCloseable {
    interface Renewal {
        void renew() throws ProviderException;
    }

    private final ScheduledFuture<?> future;

    LockRenewer(ScheduledExecutorService scheduler, Duration period, Renewal renewal, Runnable onLost) {
        long ms = Math.max(1, period.toMillis());
        Runnable task = new Runnable() {
            private boolean lost;

            @Override
            public void run() {
                if (lost) {
                    return;
                }
                try {
                    renewal.renew();
                } catch (LockLostException e) {
                    lost = true;
                    onLost.run();
                } catch (RuntimeException e) {
                    // Transient storage trouble: the next period tries again before the lock runs out.
                }
            }
        };
        this.future = scheduler.scheduleAtFixedRate(task, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        future.cancel(false);
    }
}
