package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.LockLostException;
import io.duroxide.provider.ProviderException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared sweep that keeps held locks alive (one timer for all of them). */
class LockRenewalsTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final LockRenewals renewals = new LockRenewals(scheduler, Duration.ofMillis(5));

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aHeldLockIsRenewedEveryPeriodAndNoLongerOnceClosed() {
        AtomicInteger renewed = new AtomicInteger();
        AtomicInteger clock = new AtomicInteger();
        try (LockRenewals.Held ignored = renewals.hold(Duration.ofMillis(5), clock::incrementAndGet, () -> { })) {
            LockRenewals.Held held = renewals.hold(Duration.ofMillis(20), renewed::incrementAndGet, () -> { });
            eventually("three renewals", () -> renewed.get() >= 3);
            held.close();
            int afterClose = renewed.get();
            // the other lock's renewals show that sweeps kept running after the close
            int sweepsSeen = clock.get();
            eventually("more sweeps", () -> clock.get() >= sweepsSeen + 10);
            assertThat(renewed.get()).isEqualTo(afterClose);
            assertThat(renewals.size()).isEqualTo(1);
        }
        assertThat(renewals.size()).isZero();
    }

    @Test
    void aLostLockIsReportedOnceAndNotRenewedAgain() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        renewals.hold(Duration.ofMillis(5), () -> {
            attempts.incrementAndGet();
            throw new LockLostException("renew", "taken over");
        }, lost::incrementAndGet);
        eventually("the loss is reported", () -> lost.get() == 1);
        AtomicInteger clock = new AtomicInteger();
        renewals.hold(Duration.ofMillis(5), clock::incrementAndGet, () -> { });
        eventually("more sweeps", () -> clock.get() >= 10);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(lost.get()).isEqualTo(1);
    }

    @Test
    void aFailedRenewalIsTriedAgainAtTheNextSweep() {
        AtomicInteger attempts = new AtomicInteger();
        renewals.hold(Duration.ofMillis(5), () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ProviderException("renew", "database busy", true, null);
            }
        }, () -> { });
        eventually("a renewal after two failures", () -> attempts.get() >= 3);
        assertThat(renewals.size()).isEqualTo(1);
    }
}
