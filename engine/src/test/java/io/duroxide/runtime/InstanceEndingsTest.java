package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.WaitTimeoutException;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wait for an instance hears of its ending from the runtime that committed it. Waits here are ten
 * minutes long, so a missing announcement fails the test at its deadline instead of passing by a poll.
 */
class InstanceEndingsTest {
    private static final long TEN_MINUTES = TimeUnit.MINUTES.toNanos(10);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void anEndingWakesTheThreadWaitingForThatInstance() throws Exception {
        InstanceEndings endings = new InstanceEndings();
        Thread waiter = awaitInBackground(endings, "i-1");

        endings.ended("i-1");

        waiter.join(DEADLINE.toMillis());
        assertThat(waiter.isAlive()).as("waiter still parked after the ending").isFalse();
    }

    @Test
    void anEndingAnnouncedBetweenTheStatusReadAndTheWaitIsNotMissed() {
        InstanceEndings endings = new InstanceEndings();
        InstanceEndings.Watch watch = endings.watch("i-1");
        endings.ended("i-1");
        assertTimeoutPreemptively(DEADLINE, () -> watch.await(TEN_MINUTES));
        watch.close();
        assertThat(endings.watched()).isZero();
    }

    @Test
    void aCoLocatedRuntimeAnnouncesTheInstancesItEnds() throws Exception {
        Registry registry = new Registry().addOrchestration("AwaitGo", String.class,
                (ctx, input) -> ctx.waitForExternalEvent("go", String.class).await());
        try (SqliteProvider store = SqliteProvider.open(dir.resolve("endings.db"));
             DuroxideRuntime runtime = DuroxideRuntime.builder(store, registry).build().start()) {
            ProviderClient client = runtime.client();
            String id = client.startOrchestration("AwaitGo", null);
            Thread waiter = awaitInBackground(client.endings(), id);

            client.raiseEvent(id, "go", "now");

            waiter.join(DEADLINE.toMillis());
            assertThat(waiter.isAlive()).as("waiter still parked after the instance completed").isFalse();
            assertThat(client.getStatus(id).orElseThrow().status()).isEqualTo(RuntimeStatus.COMPLETED);
        }
    }

    @Test
    void waitsLeaveNoWatchBehindWhetherTheyEndOrTimeOut() {
        Registry registry = new Registry()
                .addOrchestration("Echo", String.class, (ctx, input) -> input)
                .addOrchestration("AwaitGo", String.class, (ctx, input) -> ctx.waitForExternalEvent("go", String.class).await());
        try (SqliteProvider store = SqliteProvider.open(dir.resolve("endings.db"));
             DuroxideRuntime runtime = DuroxideRuntime.builder(store, registry).build().start()) {
            ProviderClient client = runtime.client();
            String done = client.startOrchestration("Echo", "hi");
            assertThat(client.waitForCompletion(done, DEADLINE).status()).isEqualTo(RuntimeStatus.COMPLETED);
            String waiting = client.startOrchestration("AwaitGo", null);
            assertThatThrownBy(() -> client.waitForCompletion(waiting, Duration.ofMillis(20)))
                    .isInstanceOf(WaitTimeoutException.class);
            assertThat(client.endings().watched()).isZero();
        }
    }

    /** Starts a thread waiting ten minutes for the instance's ending and returns once it is parked on its watch. */
    private static Thread awaitInBackground(InstanceEndings endings, String instanceId) throws InterruptedException {
        AtomicReference<InstanceEndings.Watch> watching = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try (InstanceEndings.Watch watch = endings.watch(instanceId)) {
                watching.set(watch);
                watch.await(TEN_MINUTES);
            }
        }, "waiter-" + instanceId);
        waiter.setDaemon(true);
        waiter.start();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (watching.get() == null || LockSupport.getBlocker(waiter) != watching.get()) {
            assertThat(System.nanoTime()).as("waiter parked on its watch").isLessThan(deadline);
            Thread.sleep(1);
        }
        return waiter;
    }
}
