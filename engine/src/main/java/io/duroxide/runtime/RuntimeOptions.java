package io.duroxide.runtime;

import java.time.Duration;

/**
 * Tuning of a runtime. Defaults suit an embedded SQLite store on one machine.
 *
 * @param orchestrationConcurrency orchestration dispatcher slots (turns processed in parallel). A turn spends
 *     most of its time waiting for its commit: the default of 8 lets that many commits share a transaction
 *     of the store's single writer (SQLite's group commit), where 2 left nearly every commit alone
 *     (measured with no-op activities on 2 cores: 5.0 write transactions per orchestration with 2 slots,
 *     2.4 with 8, and about a third more orchestrations per second)
 * @param activityConcurrency activity worker slots
 * @param pollInterval how long an idle slot waits before polling again (work produced in this process wakes it at once)
 * @param orchestrationLockTimeout how long a fetched instance stays locked; renewed while a turn runs
 * @param activityLockTimeout how long a fetched activity stays locked; renewed while it runs
 * @param maxDeliveryAttempts deliveries of one message before it is treated as poison
 * @param unregisteredBackoff first delay before retrying work whose name is not registered here (doubles, capped at 60 s)
 * @param shutdownGrace how long {@code close()} waits for work in progress
 */
public record RuntimeOptions(
        int orchestrationConcurrency,
        int activityConcurrency,
        Duration pollInterval,
        Duration orchestrationLockTimeout,
        Duration activityLockTimeout,
        int maxDeliveryAttempts,
        Duration unregisteredBackoff,
        Duration shutdownGrace) {

    public static final RuntimeOptions DEFAULTS = new RuntimeOptions(
            8, 4, Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofSeconds(30), 10, Duration.ofSeconds(1), Duration.ofSeconds(10));

    public RuntimeOptions {
        positive("pollInterval", pollInterval);
        positive("orchestrationLockTimeout", orchestrationLockTimeout);
        positive("activityLockTimeout", activityLockTimeout);
        positive("unregisteredBackoff", unregisteredBackoff);
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
        if (maxDeliveryAttempts < 1) {
            throw new IllegalArgumentException("maxDeliveryAttempts must be at least 1, was " + maxDeliveryAttempts);
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** Delay before retrying work this runtime cannot run yet, by delivery count: doubling, capped at 60 s. */
    Duration unregisteredDelay(int deliveryCount) {
        long ms = unregisteredBackoff.toMillis() << Math.min(Math.max(deliveryCount - 1, 0), 6);
        return Duration.ofMillis(Math.min(ms, 60_000));
    }

    /**
     * How long work whose name no runtime registers waits before its instance fails: the backoffs of the
     * deliveries before the last (243 s with the defaults, about four minutes).
     */
    Duration unregisteredGiveUp() {
        Duration total = Duration.ZERO;
        for (int delivery = 1; delivery < maxDeliveryAttempts; delivery++) {
            total = total.plus(unregisteredDelay(delivery));
        }
        return total;
    }

    Duration renewalPeriod(Duration lockTimeout) {
        return lockTimeout.dividedBy(2);
    }

    /**
     * How often held locks are checked for renewal: a quarter of the shorter renewal period, so a lock is
     * renewed at most five eighths of its timeout after it was taken or last renewed.
     */
    Duration renewalTick() {
        Duration shorter = renewalPeriod(orchestrationLockTimeout.compareTo(activityLockTimeout) <= 0
                ? orchestrationLockTimeout : activityLockTimeout);
        Duration tick = shorter.dividedBy(4);
        return tick.toMillis() < 1 ? Duration.ofMillis(1) : tick;
    }
}
