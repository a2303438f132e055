package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.ApplicationException;
import io.duroxide.api.FailureKind;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetryAndTimeoutTest extends EngineTestBase {
    Registry registry;
    AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void setUp() {
        registry = new Registry()
                .addActivity("FailsTwice", String.class, (ctx, in) -> {
                    calls.incrementAndGet();
                    if (ctx.attemptNumber() < 3) {
                        throw new IllegalStateException("transient failure on attempt " + ctx.attemptNumber());
                    }
                    return "ok on attempt " + ctx.attemptNumber();
                })
                .addActivity("AlwaysFails", String.class, (ctx, in) -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("permanently broken");
                })
                .addActivity("Rejects", String.class, (ctx, in) -> {
                    calls.incrementAndGet();
                    throw new ApplicationException("E_INVALID", "input rejected", false);
                })
                .addActivity("SlowOnFirstAttempt", String.class, (ctx, in) -> {
                    calls.incrementAndGet();
                    if (ctx.attemptNumber() == 1) {
                        Thread.sleep(10_000);
                    }
                    return "fast on attempt " + ctx.attemptNumber();
                })
                .addActivity("AlwaysSlow", String.class, (ctx, in) -> {
                    calls.incrementAndGet();
                    Thread.sleep(10_000);
                    return "never";
                });
    }

    private static List<HistoryEvent> eventsOf(ProviderClient client, String id, Class<? extends HistoryEvent> type) {
        return client.getHistory(id).stream().filter(type::isInstance).toList();
    }

    @Test
    void retrySucceedsAfterFailuresWaitingTheExponentialBackoff() {
        RetryPolicy policy = RetryPolicy.exponential(4, Duration.ofMillis(100), 2.0, Duration.ofSeconds(5));
        registry.addOrchestration("Retry", String.class,
                (ctx, in) -> ctx.callActivity("FailsTwice", in, ActivityOptions.retry(policy), String.class).await());
        ProviderClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("Retry", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.outputAs(String.class)).isEqualTo("ok on attempt 3");
        assertThat(calls).hasValue(3);
        List<HistoryEvent> failures = eventsOf(client, id, HistoryEvent.ActivityFailed.class);
        List<HistoryEvent> timers = eventsOf(client, id, HistoryEvent.TimerCreated.class);
        assertThat(failures).hasSize(2);
        assertThat(timers).hasSize(2);
        for (int i = 0; i < 2; i++) {
            long expectedDelay = 100L << i;
            assertThat(((HistoryEvent.TimerCreated) timers.get(i)).fireAtMs() - failures.get(i).timestampMs())
                    .as("backoff after failure %d", i + 1).isEqualTo(expectedDelay);
        }
        assertThat(eventsOf(client, id, HistoryEvent.ActivityScheduled.class))
                .extracting(e -> ((HistoryEvent.ActivityScheduled) e).attempt()).containsExactly(0, 1, 2);
    }

    @Test
    void exhaustedRetriesFailTheOrchestrationWithTheLastError() {
        registry.addOrchestration("Retry", String.class, (ctx, in) -> ctx.callActivity("AlwaysFails", in,
                ActivityOptions.retry(RetryPolicy.fixed(3, Duration.ofMillis(20))), String.class).await());
        ProviderClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("Retry", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().message()).contains("permanently broken");
        assertThat(calls).hasValue(3);
        assertThat(eventsOf(client, id, HistoryEvent.ActivityScheduled.class)).hasSize(3);
    }

    @Test
    void nonRetryableErrorStopsTheRetryPolicyAndKeepsItsCode() {
        registry.addOrchestration("Retry", String.class, (ctx, in) -> ctx.callActivity("Rejects", in,
                ActivityOptions.retry(RetryPolicy.fixed(5, Duration.ofMillis(10))), String.class).await());
        ProviderClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("Retry", "x");

        InstanceStatus status = await(client, id);

        assertThat(calls).hasValue(1);
        assertThat(status.failure().errorCode()).isEqualTo("E_INVALID");
        assertThat(status.failure().retryable()).isFalse();
    }

    @Test
    void attemptThatExceedsItsTimeoutIsRetried() {
        registry.addOrchestration("Timed", String.class, (ctx, in) -> ctx.callActivity("SlowOnFirstAttempt", in,
                ActivityOptions.retry(RetryPolicy.fixed(2, Duration.ofMillis(10))).withTimeout(Duration.ofMillis(300)), String.class).await());
        ProviderClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("Timed", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.outputAs(String.class)).isEqualTo("fast on attempt 2");
        assertThat(eventsOf(client, id, HistoryEvent.ActivityScheduled.class))
                .extracting(e -> ((HistoryEvent.ActivityScheduled) e).timeoutMs()).containsExactly(300L, 300L);
        // Whichever noticed first (the worker's deadline or the orchestration's durable timer) ended attempt 1.
        assertThat(calls).hasValue(2);
    }

    @Test
    void attemptsThatAllTimeOutFailWithKindTimeout() {
        registry.addOrchestration("Timed", String.class, (ctx, in) -> ctx.callActivity("AlwaysSlow", in,
                ActivityOptions.retry(RetryPolicy.fixed(2, Duration.ofMillis(10))).withTimeout(Duration.ofMillis(200)), String.class).await());
        ProviderClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("Timed", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.TIMEOUT);
        assertThat(status.failure().message()).contains("timed out after 200 ms");
        assertThat(calls).hasValue(2);
    }

    @Test
    void backoffStrategiesComputeTheirDelays() {
        assertThat(RetryPolicy.fixed(3, Duration.ofMillis(50)).delayAfter(2)).isEqualTo(Duration.ofMillis(50));
        RetryPolicy linear = RetryPolicy.linear(5, Duration.ofMillis(100), Duration.ofMillis(250));
        assertThat(List.of(linear.delayAfter(1), linear.delayAfter(2), linear.delayAfter(3)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
        RetryPolicy exponential = RetryPolicy.exponential(5, Duration.ofMillis(100), 3.0, Duration.ofSeconds(1));
        assertThat(List.of(exponential.delayAfter(1), exponential.delayAfter(2), exponential.delayAfter(3)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(900));
        assertThat(exponential.delayAfter(4)).isEqualTo(Duration.ofSeconds(1));
    }
}
