package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.JsonConverter;
import io.duroxide.api.Registry;
import io.duroxide.observe.ActivityInvocation;
import io.duroxide.observe.ActivityOutcome;
import io.duroxide.observe.ActivityOutcome.FailureType;
import io.duroxide.provider.ActivityWorkItem;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The invoker measures each attempt ({@link ActivityOutcome#durationNanos()}): the worker's lease-ahead and
 * the agent's activity duration histogram read it instead of timing the attempt again.
 */
class ActivityInvokerTest {
    private static final long SLEEP_MS = 40;
    private static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(SLEEP_MS);

    private final ExecutorService timed = Executors.newCachedThreadPool();
    private final Registry registry = new Registry()
            .addActivity("Sleep", Integer.class, (ctx, n) -> {
                Thread.sleep(SLEEP_MS);
                return n;
            })
            .addActivity("SleepThenFail", Integer.class, (ctx, n) -> {
                Thread.sleep(SLEEP_MS);
                throw new IllegalStateException("failed after sleeping");
            })
            .addActivity("Hang", Integer.class, (ctx, n) -> {
                Thread.sleep(30_000);
                return n;
            });
    private final ActivityInvoker invoker = new ActivityInvoker(registry, JsonConverter.DEFAULT, 10, timed, () -> false);

    @AfterEach
    void stop() {
        timed.shutdownNow();
    }

    private ActivityOutcome invoke(String activity, long timeoutMs) {
        ActivityWorkItem item = new ActivityWorkItem("i-1", 1, 1, "Orchestration", activity, "7", null, 0, 1, timeoutMs);
        return invoker.invoke(new ActivityInvocation(item, 1, new AtomicBoolean()));
    }

    private static void assertFailed(ActivityOutcome outcome, FailureType type) {
        assertThat(outcome).isInstanceOfSatisfying(ActivityOutcome.Failed.class, f -> assertThat(f.type()).isEqualTo(type));
    }

    private static void assertTook(ActivityOutcome outcome, long atLeastNanos) {
        assertThat(outcome.durationNanos()).isGreaterThanOrEqualTo(atLeastNanos).isLessThan(TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void aSuccessfulAttemptCarriesItsDuration() {
        ActivityOutcome outcome = invoke("Sleep", 0);
        assertThat(outcome).isEqualTo(new ActivityOutcome.Succeeded("7", outcome.durationNanos()));
        assertTook(outcome, SLEEP_NANOS);
    }

    @Test
    void aFailedAttemptCarriesItsDuration() {
        ActivityOutcome outcome = invoke("SleepThenFail", 0);
        assertFailed(outcome, FailureType.APPLICATION_ERROR);
        assertTook(outcome, SLEEP_NANOS);
    }

    @Test
    void aTimedOutAttemptLastsAtLeastItsTimeout() {
        ActivityOutcome outcome = invoke("Hang", SLEEP_MS);
        assertFailed(outcome, FailureType.TIMEOUT);
        assertTook(outcome, SLEEP_NANOS);
    }

    @Test
    void anAttemptThatCannotRunStillHasADuration() {
        ActivityOutcome outcome = invoke("Unknown", 0);
        assertFailed(outcome, FailureType.INFRASTRUCTURE_ERROR);
        assertTook(outcome, 0);
    }
}
