package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.childStart;
import static io.duroxide.provider.validation.ValidationSupport.completion;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.timer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Continue-as-new keeps executions apart while the instance stays one: work and leases of the old execution
 * end with it, messages tagged with the old execution keep their tag (the runtime drops them), untagged
 * messages that arrive meanwhile reach the new execution, and the instance keeps its identity.
 */
public abstract class ContinueAsNewIsolationValidation extends ProviderValidation {

    @Test
    public void anActivityLeasedByTheOldExecutionCannotCompleteAfterContinueAsNew() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        scenarios().continueAsNew(fetch(), 1, "\"2\"");

        assertThatThrownBy(() -> provider.completeActivity(lease.lockToken(), completion("a", 1, "late")))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.renewActivityLock(lease.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        OrchestrationWorkItem fresh = fetch();
        assertThat(fresh.execution().executionId()).isEqualTo(2);
        assertThat(ValidationSupport.types(fresh.messages())).containsExactly(HistoryEvent.ExecutionStarted.class);
    }

    @Test
    public void aMessageForTheOldExecutionKeepsItsExecutionTag() {
        scenarios().continuedAsNewIntoSecondExecution("a");
        provider.enqueueOrchestratorMessage(new OrchestratorMessage("a", 1L, new HistoryEvent.TimerFired(now(), 3, now())),
                null);
        OrchestrationWorkItem item = fetch();
        assertThat(item.execution().executionId()).isEqualTo(2);
        assertThat(item.history()).isEmpty();
        assertThat(item.messages()).extracting(OrchestratorMessage::executionId).containsExactly(2L, 1L);
    }

    @Test
    public void aTimerOfTheOldExecutionStaysTaggedWithIt() {
        scenarios().startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem item = fetch();
        long fireAt = now() + 300;
        HistoryEvent.ExecutionStarted next = new HistoryEvent.ExecutionStarted(now(), "Orch", "1.0", "\"2\"",
                InitiatedBy.CONTINUE_AS_NEW, null);
        provider.commitTurn(item.lockToken(), Turn.consuming(item)
                .message(timer("a", 1, 1, fireAt))
                .message(new OrchestratorMessage("a", 2L, next))
                .continueAsNew(2)
                .build());
        // Wherever the timer lands (with the new start or on its own), it arrives tagged with execution 1.
        OrchestratorMessage fired = null;
        while (fired == null) {
            OrchestrationWorkItem turn = awaitPresent("the old timer",
                    () -> provider.fetchOrchestrationItem(LONG_LOCK));
            assertThat(turn.execution().executionId()).isEqualTo(2);
            fired = turn.messages().stream().filter(m -> m.event() instanceof HistoryEvent.TimerFired).findFirst()
                    .orElse(null);
            provider.commitTurn(turn.lockToken(), Turn.consuming(turn).build());
        }
        assertThat(fired.executionId()).isEqualTo(1L);
        assertThat(now()).isGreaterThanOrEqualTo(fireAt);
    }

    /** An event raised while the continue-as-new turn runs belongs to the instance, so the next execution gets it. */
    @Test
    public void anEventArrivingDuringTheContinueAsNewTurnReachesTheNextExecution() {
        scenarios().startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem item = fetch();
        OrchestratorMessage during = event("a", "during");
        provider.enqueueOrchestratorMessage(during, null);
        HistoryEvent.ExecutionStarted next = scenarios().continueAsNew(item, 1, "\"2\"");

        OrchestrationWorkItem fresh = fetch();
        assertThat(fresh.execution().executionId()).isEqualTo(2);
        // In enqueue order: the event came before the commit wrote the new start; the runtime takes the start
        // from anywhere in the batch.
        assertThat(fresh.messages()).containsExactly(new OrchestratorMessage("a", null, during.event()),
                new OrchestratorMessage("a", 2L, next));
        assertThat(provider.readHistory("a", 1)).hasSize(3);
    }

    @Test
    public void continueAsNewKeepsTheInstancesCreationTimeAndParent() {
        scenarios().startAndRunFirstTurn("parent");
        provider.enqueueOrchestratorMessage(event("parent", "go"), null);
        OrchestrationWorkItem parentTurn = fetch();
        provider.commitTurn(parentTurn.lockToken(), Turn.consuming(parentTurn)
                .message(new OrchestratorMessage("child", 1L, childStart("Child", "parent", 1))).build());
        OrchestrationWorkItem childStartTurn = fetch();
        provider.commitTurn(childStartTurn.lockToken(), Turn.consuming(childStartTurn).build());
        InstanceStatus before = provider.getInstance("child").orElseThrow();

        provider.enqueueOrchestratorMessage(event("child", "go"), null);
        scenarios().continueAsNew(fetch(), 1, "\"2\"");
        InstanceStatus after = provider.getInstance("child").orElseThrow();
        assertThat(after.executionId()).isEqualTo(2);
        assertThat(after.createdAt()).isEqualTo(before.createdAt());
        assertThat(after.parentInstanceId()).isEqualTo("parent");
        assertThat(after.name()).isEqualTo("Child");
        assertThat(after.lastUpdatedAt()).isAfterOrEqualTo(before.lastUpdatedAt());
    }

    @Test
    public void eachExecutionRecordHasItsOwnStartAndTurnCount() {
        scenarios().runningInExecution("a", 3);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(2);
        assertThat(provider.getExecution("a", 2).orElseThrow().turnCount()).isEqualTo(2);
        assertThat(provider.getExecution("a", 3).orElseThrow().turnCount()).isEqualTo(1);
        assertThat(provider.getExecution("a", 2).orElseThrow().startedAt())
                .isAfterOrEqualTo(provider.getExecution("a", 1).orElseThrow().startedAt());
        assertThat(provider.getExecution("a", 3).orElseThrow().startedAt())
                .isAfterOrEqualTo(provider.getExecution("a", 2).orElseThrow().startedAt());
        assertThat(provider.getExecution("a", 1).orElseThrow().initiatedBy()).isEqualTo(InitiatedBy.CLIENT);
        assertThat(provider.getExecution("a", 3).orElseThrow().initiatedBy()).isEqualTo(InitiatedBy.CONTINUE_AS_NEW);
    }

    @Test
    public void theNextExecutionMayPinAnotherVersionWithoutChangingTheOldHistory() {
        scenarios().continuedAsNewIntoSecondExecution("a");
        List<HistoryEvent> firstHistory = provider.readHistory("a", 1);
        OrchestrationWorkItem start = fetch();
        provider.commitTurn(start.lockToken(), Turn.consuming(start).version("Orch", "2.0").build());
        assertThat(provider.getInstance("a").orElseThrow().version()).isEqualTo("2.0");
        assertThat(provider.readHistory("a", 1)).isEqualTo(firstHistory);
        assertThat(((HistoryEvent.ExecutionStarted) firstHistory.get(0)).version()).isEqualTo("1.0");
    }

    @Test
    public void aTerminalTurnOfTheNewExecutionEndsTheInstanceNotJustTheExecution() {
        scenarios().continuedAsNewIntoSecondExecution("a");
        OrchestrationWorkItem start = fetch();
        provider.commitTurn(start.lockToken(), Turn.consuming(start).completed("\"two\"").build());
        InstanceStatus status = provider.getInstance("a").orElseThrow();
        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.output()).isEqualTo("\"two\"");
        assertThat(status.executionId()).isEqualTo(2);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        assertThat(provider.countActiveInstances()).isEmpty();
    }
}
