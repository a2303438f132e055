package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static io.duroxide.runtime.EngineHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.history.HistoryEvent;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RestartRecoveryTest extends EngineTestBase {

    private static Registry registry(AtomicInteger secondRuns, CountDownLatch gate) {
        return new Registry()
                .addActivity("First", String.class, (ctx, in) -> in + "-first")
                .addActivity("Second", String.class, (ctx, in) -> {
                    gate.await();
                    secondRuns.incrementAndGet();
                    return in + "-second";
                })
                .addOrchestration("TwoSteps", String.class, (ctx, in) -> {
                    String a = ctx.callActivity("First", in, String.class).await();
                    ctx.createTimer(Duration.ofMillis(50)).await();
                    return ctx.callActivity("Second", a, String.class).await();
                });
    }

    @Test
    void newRuntimeFinishesWhatTheStoppedOneLeftMidway() {
        AtomicInteger runsInFirst = new AtomicInteger();
        CountDownLatch never = new CountDownLatch(1);
        DuroxideRuntime first = harness.runtime(registry(runsInFirst, never),
                b -> b.lockTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500)).shutdownGrace(Duration.ofMillis(100)));
        ProviderClient firstClient = first.client();
        String id = firstClient.startOrchestration("TwoSteps", "job");
        eventually("the second activity is scheduled", () -> firstClient.getHistory(id).stream()
                .anyMatch(e -> e instanceof HistoryEvent.ActivityScheduled s && s.name().equals("Second")));
        first.close();

        AtomicInteger runsInSecond = new AtomicInteger();
        CountDownLatch open = new CountDownLatch(0);
        ProviderClient client = harness.runtime(registry(runsInSecond, open),
                b -> b.lockTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500))).client();

        InstanceStatus status = await(client, id);
        assertThat(status.outputAs(String.class)).isEqualTo("job-first-second");
        assertThat(runsInFirst).hasValue(0);
        assertThat(runsInSecond).hasValue(1);
        assertThat(client.getHistory(id)).filteredOn(e -> e instanceof HistoryEvent.ActivityScheduled).hasSize(2);
    }
}
