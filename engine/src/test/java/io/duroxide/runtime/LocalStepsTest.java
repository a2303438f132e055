package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.Task;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Local steps: once the runtime has timed an activity as short (its first attempt, the probe, runs in the turn to
 * learn that), a turn that schedules it runs it at once and
 * commits its result with the same turn. Ground truth is the store: the execution's turn count and its history,
 * which holds the same scheduled and completed events as through the queue.
 */
class LocalStepsTest extends EngineTestBase {
    private static final int STEPS = 3;
    private static final Duration HOUR = Duration.ofHours(1);
    /**
     * Limits no stall of a loaded machine reaches, for tests of what happens within them: the defaults' own values
     * are {@link LocalStepBudgetTest}'s.
     */
    private static final LocalStepBudget AMPLE = new LocalStepBudget(HOUR, HOUR, HOUR);
    private static final LocalStepBudget NO_BATCH_TIME = new LocalStepBudget(HOUR, Duration.ZERO, HOUR);
    private static final LocalStepBudget NO_TURN_TIME = new LocalStepBudget(Duration.ZERO, HOUR, HOUR);

    private final AtomicInteger invocations = new AtomicInteger();

    private Registry registry() {
        return registry(0);
    }

    /** Steps that each take at least {@code stepMillis}. */
    private Registry registry(long stepMillis) {
        return new Registry()
                .addActivity("Step", Integer.class, (ctx, n) -> {
                    invocations.incrementAndGet();
                    Thread.sleep(stepMillis);
                    return n + 1;
                })
                .addOrchestration("Steps", Integer.class, (ctx, n) -> {
                    int value = n;
                    for (int i = 0; i < STEPS; i++) {
                        value = ctx.callActivity("Step", value, Integer.class).await();
                    }
                    return value;
                });
    }

    /** STEPS no-op steps started together, joined: one batch of activities. */
    private Registry fanOut() {
        return new Registry()
                .addActivity("Step", Integer.class, (ctx, n) -> {
                    invocations.incrementAndGet();
                    return n + 1;
                })
                .addOrchestration("Steps", Integer.class, (ctx, n) -> {
                    List<Task<Integer>> steps = new ArrayList<>();
                    for (int i = 0; i < STEPS; i++) {
                        steps.add(ctx.callActivity("Step", n, Integer.class));
                    }
                    int value = n;
                    for (Task<Integer> step : steps) {
                        value += step.await() - n;
                    }
                    return value;
                });
    }

    private List<Integer> turnsOf(Registry registry, boolean localSteps) {
        return turnsOf(registry, b -> b.localSteps(localSteps));
    }

    /** Runs instance "first", then "second", one after the other; the turns each took, as the store counted them. */
    private List<Integer> turnsOf(Registry registry, Consumer<DuroxideRuntime.Builder> tuning) {
        DuroxideRuntime runtime = harness.runtime(registry, tuning);
        ProviderClient client = runtime.client();
        client.startOrchestration("Steps", 0, StartOptions.withInstanceId("first"));
        assertThat(EngineHarness.await(client, "first").status()).isEqualTo(RuntimeStatus.COMPLETED);
        client.startOrchestration("Steps", 10, StartOptions.withInstanceId("second"));
        assertThat(EngineHarness.await(client, "second").output()).isEqualTo(String.valueOf(10 + STEPS));

        SqliteProvider store = harness.openProvider();
        List<HistoryEvent> history = store.readHistory("second", 1);
        assertThat(history.stream().filter(e -> e instanceof HistoryEvent.ActivityScheduled)).hasSize(STEPS);
        assertThat(history.stream().filter(e -> e instanceof HistoryEvent.ActivityCompleted)).hasSize(STEPS);
        assertThat(invocations.get()).isEqualTo(2 * STEPS);
        return List.of(store.getExecution("first", 1).orElseThrow().turnCount(),
                store.getExecution("second", 1).orElseThrow().turnCount());
    }

    /** The first attempt, untimed, runs in the turn as the probe; it is short, so every later one does too. */
    @Test
    void aShortActivityRunsInTheTurnThatSchedulesItFromItsFirstAttempt() {
        assertThat(turnsOf(registry(), true)).containsExactly(1, 1);
    }

    /** The probe runs in the turn and shows the activity long: from then on its steps go through the queue. */
    @Test
    void aLongActivityRunsInATurnOnceAsTheProbeAndThenThroughTheQueue() {
        long longerThanLocal = StepTiming.LOCAL_MAX_MEAN.toMillis() * 3;
        assertThat(turnsOf(registry(longerThanLocal), true)).containsExactly(STEPS, STEPS + 1);
    }

    /**
     * A burst stored before the runtime starts: its first fetch hands out every instance at once, so their turns
     * meet the activity while its probe runs. They wait for its time and run the step here too, instead of sending
     * the first workflows of the burst through the queue.
     */
    @Test
    void turnsThatMeetTheProbeRunningWaitForItsTimeAndRunTheStepHere() {
        int burst = RuntimeOptions.DEFAULTS.orchestrationConcurrency();
        ProviderClient storeOnly = new ProviderClient(harness.openProvider());
        for (int i = 0; i < burst; i++) {
            storeOnly.startOrchestration("Steps", i, StartOptions.withInstanceId("burst-" + i));
        }
        ProviderClient client = harness.runtime(registry(3), b -> b.localSteps(true).localStepBudget(AMPLE)).client();
        SqliteProvider store = harness.openProvider();
        for (int i = 0; i < burst; i++) {
            assertThat(EngineHarness.await(client, "burst-" + i).output()).isEqualTo(String.valueOf(i + STEPS));
            assertThat(store.getExecution("burst-" + i, 1).orElseThrow().turnCount()).as("turns of burst-" + i).isEqualTo(1);
        }
    }

    /** One step after another: each is a batch of its own, so the batch's limit never sends a chain through the queue. */
    @Test
    void aChainOfStepsStaysOneTurnPastTheBatchLimit() {
        assertThat(turnsOf(registry(), b -> b.localSteps(true).localStepBudget(NO_BATCH_TIME))).containsExactly(1, 1);
    }

    @Test
    void theStepsOfAFanOutWithinTheBatchLimitRunHere() {
        assertThat(turnsOf(fanOut(), b -> b.localSteps(true).localStepBudget(AMPLE))).containsExactly(1, 1);
    }

    /** A fan-out runs here one step after another only within the batch's limit; the rest run side by side through the queue. */
    @Test
    void theStepsOfAFanOutPastTheBatchLimitGoThroughTheQueue() {
        assertThat(turnsOf(fanOut(), b -> b.localSteps(true).localStepBudget(NO_BATCH_TIME))).allMatch(turns -> turns > 1);
    }

    /** Past the turn's limit no step starts here: every step is a turn of its own, as without local steps. */
    @Test
    void pastTheTurnsLimitEveryStepGoesThroughTheQueue() {
        assertThat(turnsOf(registry(), b -> b.localSteps(true).localStepBudget(NO_TURN_TIME))).containsExactly(STEPS + 1, STEPS + 1);
    }

    @Test
    void withoutLocalStepsEveryStepIsATurn() {
        assertThat(turnsOf(registry(), false)).containsExactly(STEPS + 1, STEPS + 1);
    }
}
