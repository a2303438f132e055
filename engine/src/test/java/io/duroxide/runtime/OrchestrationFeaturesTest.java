package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static io.duroxide.runtime.EngineHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.FailureKind;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.SubOrchestrationOptions;
import io.duroxide.api.Task;
import io.duroxide.api.TaskFailedException;
import io.duroxide.history.HistoryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrchestrationFeaturesTest extends EngineTestBase {
    Registry registry;

    @BeforeEach
    void setUp() {
        registry = new Registry()
                .addActivity("Greet", String.class, (ctx, name) -> "Hello, " + name + "!")
                .addActivity("Double", Integer.class, (ctx, n) -> n * 2)
                .addActivity("Fail", String.class, (ctx, msg) -> {
                    throw new IllegalStateException(msg);
                });
    }

    private ProviderClient start() {
        return harness.runtime(registry).client();
    }

    @Test
    void activitiesChainTheirResults() {
        registry.addOrchestration("Chain", Integer.class, (ctx, n) -> {
            int a = ctx.callActivity("Double", n, Integer.class).await();
            int b = ctx.callActivity("Double", a, Integer.class).await();
            return ctx.callActivity("Greet", "n=" + b, String.class).await();
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Chain", 5);

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.outputAs(String.class)).isEqualTo("Hello, n=20!");
        assertThat(client.getHistory(id)).filteredOn(e -> e instanceof HistoryEvent.ActivityCompleted).hasSize(3);
    }

    @Test
    void fanOutAndFanInKeepsArgumentOrder() {
        registry.addOrchestration("FanOut", Integer.class, (ctx, n) -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                tasks.add(ctx.callActivity("Double", i, Integer.class));
            }
            return ctx.allOf(tasks).await();
        });
        ProviderClient client = start();
        String id = client.startOrchestration("FanOut", 10);

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.output()).isEqualTo("[2,4,6,8,10,12,14,16,18,20]");
    }

    @Test
    void anyOfPicksTheFirstCompletionInHistoryOrder() {
        registry.addOrchestration("Race", String.class, (ctx, in) -> {
            Task<String> slow = ctx.waitForExternalEvent("never", String.class);
            Task<String> fast = ctx.callActivity("Greet", "racer", String.class);
            Task<?> winner = ctx.anyOf(List.of(slow, fast)).await();
            return winner == fast ? fast.await() : "slow";
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Race", "");

        assertThat(await(client, id).outputAs(String.class)).isEqualTo("Hello, racer!");
    }

    @Test
    void durableTimerFiresAfterItsDelayAndTimeIsDeterministic() {
        registry.addOrchestration("Sleep", Integer.class, (ctx, ms) -> {
            Instant before = ctx.currentTime();
            ctx.createTimer(Duration.ofMillis(ms)).await();
            return Duration.between(before, ctx.currentTime()).toMillis();
        });
        ProviderClient client = start();
        long t0 = System.currentTimeMillis();
        String id = client.startOrchestration("Sleep", 300);

        InstanceStatus status = await(client, id);

        assertThat(System.currentTimeMillis() - t0).isGreaterThanOrEqualTo(300);
        assertThat(status.outputAs(Long.class)).isGreaterThanOrEqualTo(300L);
        HistoryEvent.TimerCreated created = (HistoryEvent.TimerCreated) client.getHistory(id).stream()
                .filter(e -> e instanceof HistoryEvent.TimerCreated).findFirst().orElseThrow();
        HistoryEvent.ExecutionStarted started = (HistoryEvent.ExecutionStarted) client.getHistory(id).get(0);
        assertThat(created.fireAtMs()).isEqualTo(started.timestampMs() + 300);
    }

    @Test
    void externalEventIsDeliveredToTheWaitingOrchestration() {
        registry.addOrchestration("Approval", String.class, (ctx, who) -> {
            String decision = ctx.waitForExternalEvent("decision", String.class).await();
            return who + ":" + decision;
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Approval", "alice");
        EngineHarness.eventuallyStatus(client, id, RuntimeStatus.RUNNING);

        client.raiseEvent(id, "decision", "approved");

        assertThat(await(client, id).outputAs(String.class)).isEqualTo("alice:approved");
    }

    @Test
    void eventRaisedBeforeTheWaitIsBuffered() {
        registry.addOrchestration("Late", String.class, (ctx, in) -> {
            ctx.createTimer(Duration.ofMillis(200)).await();
            return ctx.waitForExternalEvent("early", String.class).await();
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Late", "");
        client.raiseEvent(id, "early", "kept");

        assertThat(await(client, id).outputAs(String.class)).isEqualTo("kept");
    }

    @Test
    void externalEventWaitTimesOut() {
        registry.addOrchestration("Impatient", String.class, (ctx, in) -> {
            try {
                return ctx.waitForExternalEvent("reply", Duration.ofMillis(200), String.class).await();
            } catch (TaskFailedException e) {
                return "timed out: " + e.details().kind();
            }
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Impatient", "");

        assertThat(await(client, id).outputAs(String.class)).isEqualTo("timed out: TIMEOUT");
    }

    @Test
    void subOrchestrationResultReachesTheParent() {
        registry.addOrchestration("Child", Integer.class, (ctx, n) -> ctx.callActivity("Double", n, Integer.class).await());
        registry.addOrchestration("Parent", Integer.class, (ctx, n) -> {
            int viaDerivedId = ctx.callSubOrchestration("Child", n, Integer.class).await();
            int viaExplicitId = ctx.callSubOrchestration("Child", n + 1, SubOrchestrationOptions.withInstanceId("explicit-child"),
                    Integer.class).await();
            return viaDerivedId + viaExplicitId;
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Parent", 10, StartOptions.withInstanceId("parent-1"));

        assertThat(await(client, id).outputAs(Integer.class)).isEqualTo(20 + 22);
        InstanceStatus child = client.getStatus("explicit-child").orElseThrow();
        assertThat(child.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(child.parentInstanceId()).isEqualTo("parent-1");
        assertThat(client.getStatus("parent-1::sub::0").orElseThrow().outputAs(Integer.class)).isEqualTo(20);
    }

    @Test
    void subOrchestrationFailureSurfacesInTheParentWithItsDetails() {
        registry.addOrchestration("BadChild", String.class, (ctx, in) -> ctx.callActivity("Fail", "child broke", String.class).await());
        registry.addOrchestration("Parent", String.class, (ctx, in) -> {
            try {
                return ctx.callSubOrchestration("BadChild", in, String.class).await();
            } catch (TaskFailedException e) {
                return "caught " + e.details().errorType() + ": " + e.details().message();
            }
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Parent", "x");

        String output = await(client, id).outputAs(String.class);
        assertThat(output).startsWith("caught java.lang.IllegalStateException").contains("child broke");
        assertThat(client.getStatus(id + "::sub::0").orElseThrow().status()).isEqualTo(RuntimeStatus.FAILED);
    }

    @Test
    void continueAsNewCarriesStateIntoAFreshExecution() {
        registry.addOrchestration("Counter", Integer.class, (ctx, n) -> {
            if (n < 5) {
                int next = ctx.callActivity("Double", n, Integer.class).await() / 2 + 1;
                ctx.continueAsNew(next);
            }
            return "done at " + n + " in execution " + ctx.executionId();
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Counter", 0);

        InstanceStatus status = await(client, id);

        assertThat(status.outputAs(String.class)).isEqualTo("done at 5 in execution 6");
        assertThat(status.executionId()).isEqualTo(6);
        List<HistoryEvent> history = client.getHistory(id);
        assertThat(history.get(0)).isInstanceOfSatisfying(HistoryEvent.ExecutionStarted.class, s -> assertThat(s.input()).isEqualTo("5"));
        assertThat(history).hasSize(2);
    }

    @Test
    void oldExecutionsOfAContinuedInstanceCanBePruned() {
        registry.addOrchestration("Loop", Integer.class, (ctx, n) -> {
            if (n < 4) {
                ctx.callActivity("Double", n, Integer.class).await();
                ctx.continueAsNew(n + 1);
            }
            return n;
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Loop", 0);
        await(client, id);
        var provider = harness.openProvider();

        assertThat(client.pruneExecutions(id, 2)).isEqualTo(3);

        assertThat(provider.getExecution(id, 3)).isEmpty();
        assertThat(provider.readHistory(id, 3)).isEmpty();
        assertThat(provider.getExecution(id, 4)).isPresent();
        assertThat(provider.readHistory(id, 4)).isNotEmpty();
        assertThat(client.getHistory(id)).hasSize(2);
        assertThat(client.pruneExecutions(id, 1)).isEqualTo(1);
        assertThat(client.getStatus(id).orElseThrow().outputAs(Integer.class)).isEqualTo(4);
    }

    @Test
    void customStatusIsVisibleWhileRunning() {
        registry.addOrchestration("Progress", String.class, (ctx, in) -> {
            ctx.setCustomStatus("step-1");
            return ctx.waitForExternalEvent("go", String.class).await();
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Progress", "");
        eventually("custom status is set", () -> "step-1".equals(client.getStatus(id).orElseThrow().customStatusAs(String.class)));
        client.raiseEvent(id, "go", "ok");
        assertThat(await(client, id).customStatusAs(String.class)).isEqualTo("step-1");
    }

    record Progress(String step, int done, int total, Instant since) {}

    @Test
    void customStatusReadsBackAsAValueAndAsRawJson() {
        registry.addOrchestration("Progress", String.class, (ctx, in) -> {
            ctx.setCustomStatus(new Progress("copying", 3, 10, Instant.parse("2026-01-02T03:04:05Z")));
            return ctx.waitForExternalEvent("go", String.class).await();
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Progress", "");
        eventually("custom status is set", () -> client.getStatus(id).orElseThrow().customStatus() != null);

        InstanceStatus running = client.getStatus(id).orElseThrow();

        assertThat(running.customStatusAs(Progress.class))
                .isEqualTo(new Progress("copying", 3, 10, Instant.parse("2026-01-02T03:04:05Z")));
        assertThat(running.customStatus()).isEqualTo("{\"step\":\"copying\",\"done\":3,\"total\":10,\"since\":\"2026-01-02T03:04:05Z\"}");
        client.raiseEvent(id, "go", "ok");
        assertThat(await(client, id).customStatusAs(Progress.class).done()).isEqualTo(3);
    }

    @Test
    void failingActivityFailsTheOrchestrationWithItsClassChain() {
        registry.addOrchestration("Breaks", String.class, (ctx, in) -> ctx.callActivity("Fail", "boom", String.class).await());
        ProviderClient client = start();
        String id = client.startOrchestration("Breaks", "");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.APPLICATION);
        assertThat(status.failure().errorType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(status.failure().message()).contains("boom");
    }

    @Test
    void uuidsAndTimeAreTheSameOnReplay() {
        registry.addOrchestration("Ids", String.class, (ctx, in) -> {
            String first = ctx.newUuid() + "@" + ctx.currentTime().toEpochMilli();
            boolean replayingAtStart = ctx.isReplaying();
            ctx.callActivity("Greet", first, String.class).await();
            ctx.createTimer(Duration.ofMillis(1)).await();
            return first + "|" + replayingAtStart + "|" + ctx.isReplaying();
        });
        ProviderClient client = start();
        String id = client.startOrchestration("Ids", "");

        String[] parts = await(client, id).outputAs(String.class).split("\\|");
        HistoryEvent.ActivityScheduled firstTurn = (HistoryEvent.ActivityScheduled) client.getHistory(id).stream()
                .filter(e -> e instanceof HistoryEvent.ActivityScheduled).findFirst().orElseThrow();
        assertThat(firstTurn.input()).isEqualTo("\"" + parts[0] + "\"");
        assertThat(parts[1]).as("the final turn replays the start").isEqualTo("true");
        assertThat(parts[2]).as("after the last history event the code runs live").isEqualTo("false");
    }
}
