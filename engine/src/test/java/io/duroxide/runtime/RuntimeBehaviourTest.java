package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.FailureKind;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RuntimeBehaviourTest extends EngineTestBase {

    @Test
    void activitiesRunConcurrentlyUpToTheConfiguredSlots() {
        CyclicBarrier allFourAtOnce = new CyclicBarrier(4);
        Registry registry = new Registry()
                .addActivity("Meet", Integer.class, (ctx, i) -> {
                    allFourAtOnce.await(20, TimeUnit.SECONDS);
                    return i;
                })
                .addOrchestration("FourAtOnce", String.class, (ctx, in) -> {
                    List<Task<Integer>> tasks = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        tasks.add(ctx.callActivity("Meet", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().size();
                });
        DuroxideClient client = harness.runtime(registry, b -> b.activityConcurrency(4)).client();
        String id = client.startOrchestration("FourAtOnce", "");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).as("the barrier of 4 only opens if 4 slots run at once").isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.outputAs(Integer.class)).isEqualTo(4);
    }

    @Test
    void lockRenewalKeepsALongActivityFromBeingRedelivered() {
        AtomicInteger runs = new AtomicInteger();
        Registry registry = new Registry()
                .addActivity("Long", String.class, (ctx, in) -> {
                    runs.incrementAndGet();
                    Thread.sleep(9000);
                    return "done";
                })
                .addOrchestration("CallsLong", String.class, (ctx, in) -> ctx.callActivity("Long", in, String.class).await());
        // Renewal every 2 s keeps a 4 s lock even when a loaded two-core machine stalls a renewal by a second or more
        // (a 1 s lock renewed every 500 ms was lost to such stalls); the activity outlives two lock timeouts.
        DuroxideClient client = harness.runtime(registry, b -> b.lockTimeouts(Duration.ofSeconds(4), Duration.ofSeconds(4))
                .activityConcurrency(2)).client();
        String id = client.startOrchestration("CallsLong", "");

        assertThat(await(client, id).outputAs(String.class)).isEqualTo("done");
        assertThat(runs).as("a lock of 4 s was renewed across 9 s; no second worker took it").hasValue(1);
    }

    @Test
    void activityThatKeepsCrashingIsPoisonedAndDoesNotBlockOtherWork() {
        AtomicInteger crashes = new AtomicInteger();
        Registry registry = new Registry()
                .addActivity("Crash", String.class, (ctx, in) -> {
                    crashes.incrementAndGet();
                    throw new StackOverflowError("simulated crash");
                })
                .addActivity("Fine", String.class, (ctx, in) -> "fine")
                .addOrchestration("Crashes", String.class, (ctx, in) -> ctx.callActivity("Crash", in, String.class).await())
                .addOrchestration("Works", String.class, (ctx, in) -> ctx.callActivity("Fine", in, String.class).await());
        DuroxideClient client = harness.runtime(registry, b -> b.maxDeliveryAttempts(3)).client();
        String bad = client.startOrchestration("Crashes", "");
        String good = client.startOrchestration("Works", "");

        assertThat(await(client, good).outputAs(String.class)).isEqualTo("fine");
        InstanceStatus status = await(client, bad);
        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.POISON);
        assertThat(status.failure().message()).contains("activity 'Crash' was delivered 4 times (max 3)");
        assertThat(crashes).hasValue(3);
    }

    @Test
    void aNamedRuntimeKeepsItsDispatcherIdsAcrossRestarts() {
        assertThat(harness.runtime(new Registry(), b -> b.name("node-a")).runtimeId()).isEqualTo("node-a");
        assertThatThrownBy(() -> harness.runtime(new Registry(), b -> b.name(" ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runtime name must not be blank");
    }

    @Test
    void invalidOptionsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> harness.runtime(new Registry(), b -> b.activityConcurrency(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activity concurrency must be at least 1");
        assertThatThrownBy(() -> harness.runtime(new Registry(), b -> b.pollInterval(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval must be positive");
    }
}
