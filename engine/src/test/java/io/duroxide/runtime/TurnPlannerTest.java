package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.*;
import io.duroxide.history.InitiatedBy;
import io.duroxide.history.ParentRef;
import io.duroxide.observe.TurnCommit;
import io.duroxide.observe.TurnOutcome;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.TurnWrite;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replay engine and turn planner driven with synthetic histories: no storage, no threads. */
class TurnPlannerTest {
    private static final String ID = "inst-1";
    private final List<Boolean> replayFlags = new ArrayList<>();
    private final Registry registry = new Registry()
            .addOrchestration("Seq", String.class, (ctx, in) -> {
                replayFlags.add(ctx.isReplaying());
                String a = ctx.callActivity("A", in, String.class).await();
                replayFlags.add(ctx.isReplaying());
                return ctx.callActivity("B", a, String.class).await();
            })
            .addOrchestration("Other", String.class, (ctx, in) -> ctx.callActivity("X", in, String.class).await())
            .addOrchestration("WithChild", String.class, (ctx, in) -> ctx.callSubOrchestration("Seq", in, String.class).await());
    private final TurnPlanner planner = new TurnPlanner(registry, RuntimeOptions.DEFAULTS, JsonConverter.DEFAULT);

    private static ExecutionStarted started(String name, String version) {
        return new ExecutionStarted(1000, name, version, "\"in\"", InitiatedBy.CLIENT, null);
    }

    private static OrchestrationWorkItem item(RuntimeStatus status, List<HistoryEvent> history, int attempts, HistoryEvent... messages) {
        InstanceStatus inst = new InstanceStatus(ID, "Seq", "1.0.0", status, 1, "\"in\"", null, null, null, null,
                Instant.ofEpochMilli(1000), Instant.ofEpochMilli(1000));
        List<OrchestratorMessage> msgs = new ArrayList<>();
        for (HistoryEvent m : messages) {
            msgs.add(new OrchestratorMessage(ID, 1L, m));
        }
        return new OrchestrationWorkItem("token", inst, new ExecutionRecord(1, InitiatedBy.CLIENT, Instant.ofEpochMilli(1000), history.isEmpty() ? 0 : 1),
                history, msgs, attempts, null);
    }

    private TurnCommit commit(OrchestrationWorkItem item) {
        TurnPlanner.Plan plan = planner.plan(item, 5000, LocalSteps.NONE);
        assertThat(plan).isInstanceOf(TurnPlanner.Commit.class);
        return ((TurnPlanner.Commit) plan).turn();
    }

    private static List<HistoryEvent> afterFirstTurn() {
        return List.of(new ExecutionStarted(1000, "Seq", "1.0.0", "\"in\"", InitiatedBy.CLIENT, null),
                new ActivityScheduled(1000, 0, "A", "\"in\"", null, 0, 1, 0));
    }

    @Test
    void firstTurnPinsTheVersionAndSchedulesTheFirstActivity() {
        TurnCommit turn = commit(item(RuntimeStatus.PENDING, List.of(), 1, started("Seq", null)));

        assertThat(turn.startsExecution()).isTrue();
        assertThat(turn.outcome()).isEqualTo(TurnOutcome.CONTINUES);
        TurnWrite write = turn.write();
        assertThat(write.newEvents()).hasSize(2);
        assertThat(((ExecutionStarted) write.newEvents().get(0)).version()).isEqualTo("1.0.0");
        assertThat(write.newEvents().get(1)).isInstanceOfSatisfying(ActivityScheduled.class, a -> assertThat(a.name()).isEqualTo("A"));
        assertThat(write.activities()).singleElement().satisfies(w -> assertThat(w.activityName()).isEqualTo("A"));
        assertThat(turn.turnCount()).isEqualTo(1);
        assertThat(replayFlags).containsExactly(false);
    }

    @Test
    void completionResumesTheCodeAndIsReplayingFlipsAtTheEndOfHistory() {
        TurnCommit turn = commit(item(RuntimeStatus.RUNNING, afterFirstTurn(), 1, new ActivityCompleted(4000, 0, "\"a-out\"")));

        assertThat(turn.startsExecution()).isFalse();
        assertThat(turn.write().newEvents()).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("ActivityCompleted", "ActivityScheduled");
        assertThat(turn.write().activities().get(0).input()).isEqualTo("\"a-out\"");
        assertThat(replayFlags).containsExactly(true, false);
        assertThat(turn.write().newEvents()).allMatch(e -> e.timestampMs() == 5000);
    }

    @Test
    void duplicateAndStaleCompletionsAreDropped() {
        List<HistoryEvent> history = new ArrayList<>(afterFirstTurn());
        history.add(new ActivityCompleted(2000, 0, "\"a-out\""));
        history.add(new ActivityScheduled(2000, 1, "B", "\"a-out\"", null, 0, 1, 0));
        OrchestrationWorkItem item = item(RuntimeStatus.RUNNING, history, 1,
                new ActivityCompleted(4000, 0, "\"again\""), new ActivityCompleted(4000, 7, "\"unknown task\""),
                new ActivityCompleted(4000, 1, "\"b-out\""), new ActivityCompleted(4000, 1, "\"b-dup\""));

        TurnCommit turn = commit(item);

        assertThat(turn.outcome()).isEqualTo(TurnOutcome.COMPLETED);
        assertThat(turn.write().output()).isEqualTo("\"b-out\"");
        assertThat(turn.write().newEvents()).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("ActivityCompleted", "ExecutionCompleted");
    }

    @Test
    void messagesForAnotherExecutionAreDropped() {
        OrchestrationWorkItem base = item(RuntimeStatus.RUNNING, afterFirstTurn(), 1);
        OrchestrationWorkItem item = new OrchestrationWorkItem(base.lockToken(), base.instance(), base.execution(), base.history(),
                List.of(new OrchestratorMessage(ID, 2L, new ActivityCompleted(4000, 0, "\"from a later execution\""))), 1, null);

        assertThat(commit(item).write().newEvents()).isEmpty();
    }

    @Test
    void changedCodeIsNondeterminism() {
        List<HistoryEvent> history = List.of(new ExecutionStarted(1000, "Other", "1.0.0", "\"in\"", InitiatedBy.CLIENT, null),
                new ActivityScheduled(1000, 0, "A", "\"in\"", null, 0, 1, 0));
        TurnCommit turn = commit(item(RuntimeStatus.RUNNING, history, 1, new ActivityCompleted(4000, 0, "\"a\"")));

        assertThat(turn.outcome()).isEqualTo(TurnOutcome.FAILED);
        assertThat(turn.failure().kind()).isEqualTo(FailureKind.NONDETERMINISM);
        assertThat(turn.failure().message()).contains("history step 2 expected activity 'A' (task 0)")
                .contains("scheduled activity 'X' (task 0)");
    }

    @Test
    void cancellationWinsOverCompletionsAndCancelsOpenChildren() {
        List<HistoryEvent> history = List.of(new ExecutionStarted(1000, "WithChild", "1.0.0", "\"in\"", InitiatedBy.CLIENT, null),
                new SubOrchestrationScheduled(1000, 0, "Seq", null, "inst-1::sub::0", "\"in\""));
        TurnCommit turn = commit(item(RuntimeStatus.RUNNING, history, 1, new ExecutionCancelRequested(3000, "stop")));

        assertThat(turn.outcome()).isEqualTo(TurnOutcome.CANCELLED);
        assertThat(turn.write().status()).isEqualTo(RuntimeStatus.CANCELLED);
        assertThat(turn.write().messages()).singleElement().satisfies(m -> {
            assertThat(m.message().instanceId()).isEqualTo("inst-1::sub::0");
            assertThat(m.message().event()).isInstanceOf(ExecutionCancelRequested.class);
        });
    }

    @Test
    void childCompletionAnswersTheParentExecution() {
        ExecutionStarted childStart = new ExecutionStarted(1000, "Seq", null, "\"in\"", InitiatedBy.SUB_ORCHESTRATION,
                new ParentRef("parent", 3, 4, "WithChild"));
        List<HistoryEvent> history = new ArrayList<>(List.of(new ExecutionStarted(1000, "Seq", "1.0.0", "\"in\"",
                        InitiatedBy.SUB_ORCHESTRATION, childStart.parent()),
                new ActivityScheduled(1000, 0, "A", "\"in\"", null, 0, 1, 0),
                new ActivityCompleted(2000, 0, "\"a\""),
                new ActivityScheduled(2000, 1, "B", "\"a\"", null, 0, 1, 0)));
        TurnCommit turn = commit(item(RuntimeStatus.RUNNING, history, 1, new ActivityCompleted(4000, 1, "\"done\"")));

        assertThat(turn.parent().orchestrationName()).isEqualTo("WithChild");
        assertThat(turn.write().messages()).singleElement().satisfies(m -> {
            assertThat(m.message().instanceId()).isEqualTo("parent");
            assertThat(m.message().executionId()).isEqualTo(3L);
            assertThat(m.message().event()).isEqualTo(new SubOrchestrationCompleted(5000, 4, "\"done\""));
        });
    }

    @Test
    void suspendedInstanceRecordsEventsWithoutRunningCode() {
        TurnCommit turn = commit(item(RuntimeStatus.SUSPENDED, afterFirstTurn(), 1, new ActivityCompleted(4000, 0, "\"a\"")));

        assertThat(turn.outcome()).isEqualTo(TurnOutcome.SUSPENDED);
        assertThat(turn.write().newEvents()).hasSize(1);
        assertThat(turn.write().activities()).isEmpty();
        assertThat(replayFlags).isEmpty();
    }

    @Test
    void endedInstanceOnlyDrainsItsMessages() {
        TurnPlanner.Plan plan = planner.plan(item(RuntimeStatus.COMPLETED, afterFirstTurn(), 1, new ActivityCompleted(4000, 0, "\"late\"")), 5000, LocalSteps.NONE);

        TurnPlanner.Commit commit = (TurnPlanner.Commit) plan;
        assertThat(commit.observed()).isFalse();
        assertThat(commit.turn().write().newEvents()).isEmpty();
        assertThat(commit.turn().write().status()).isEqualTo(RuntimeStatus.COMPLETED);
    }

    @Test
    void messageBeyondTheDeliveryLimitFailsAsPoison() {
        TurnCommit turn = commit(item(RuntimeStatus.RUNNING, afterFirstTurn(), 11, new ActivityCompleted(4000, 0, "\"a\"")));

        assertThat(turn.outcome()).isEqualTo(TurnOutcome.FAILED);
        assertThat(turn.failure().kind()).isEqualTo(FailureKind.POISON);
        assertThat(turn.failure().message()).contains("delivered 11 times (max 10)");
    }

    @Test
    void unregisteredOrchestrationIsAbandonedWithBackoffBeforeTheLimit() {
        TurnPlanner.Plan plan = planner.plan(item(RuntimeStatus.PENDING, List.of(), 3, started("Unknown", null)), 5000, LocalSteps.NONE);

        assertThat(plan).isInstanceOfSatisfying(TurnPlanner.Abandon.class, a -> {
            assertThat(a.delay()).isEqualTo(Duration.ofSeconds(4));
            assertThat(a.reason()).contains("'Unknown' is not registered");
        });
    }

    @Test
    void failureDetailsKeepTheCauseChainAndCode() {
        Exception error = new IllegalStateException("outer", new io.duroxide.api.ApplicationException("E42", "inner", false));
        FailureDetails details = FailureDetails.fromThrowable(FailureKind.APPLICATION, error);
        assertThat(details.classChain()).containsExactly("java.lang.IllegalStateException", "io.duroxide.api.ApplicationException");
        assertThat(details.errorCode()).isEqualTo("E42");
        assertThat(details.retryable()).isFalse();
    }
}
