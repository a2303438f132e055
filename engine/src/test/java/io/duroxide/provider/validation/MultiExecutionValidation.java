package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Continue-as-new: the next execution starts with an empty history and its own record, the old
 * execution's history and record are never touched again, and the instance stays one instance.
 */
public abstract class MultiExecutionValidation extends ProviderValidation {

    private HistoryEvent.ExecutionStarted continueAsNew(OrchestrationWorkItem item, long from, String input) {
        return scenarios().continueAsNew(item, from, input);
    }

    @Test
    public void continueAsNewStartsTheNextExecutionWithEmptyHistory() {
        HistoryEvent.ExecutionStarted next = scenarios().continuedAsNewIntoSecondExecution("a");

        InstanceStatus status = provider.getInstance("a").orElseThrow();
        assertThat(status.executionId()).isEqualTo(2);
        assertThat(status.status()).isEqualTo(RuntimeStatus.RUNNING);
        ExecutionRecord second = provider.getExecution("a", 2).orElseThrow();
        assertThat(second.initiatedBy()).isEqualTo(InitiatedBy.CONTINUE_AS_NEW);
        assertThat(second.turnCount()).isZero();
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(2);
        assertThat(provider.readHistory("a", 1)).hasSize(3);
        assertThat(provider.readHistory("a", 2)).isEmpty();
        // A terminal turn removes the execution's activity work, including what it scheduled itself.
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.listInstances(InstanceQuery.all())).extracting(InstanceStatus::instanceId)
                .containsExactly("a");

        OrchestrationWorkItem fresh = fetch();
        assertThat(fresh.execution()).isEqualTo(second);
        assertThat(fresh.history()).isEmpty();
        assertThat(fresh.messages()).containsExactly(new OrchestratorMessage("a", 2L, next));
        provider.commitTurn(fresh.lockToken(), Turn.of(2).events(next).build());
        assertThat(provider.readHistory("a", 2)).containsExactly(next);
        assertThat(provider.getExecution("a", 2).orElseThrow().turnCount()).isEqualTo(1);
    }

    @Test
    public void laterTurnsNeverTouchAnEarlierExecution() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        continueAsNew(fetch(), 1, "\"2\"");
        List<HistoryEvent> firstHistory = provider.readHistory("a", 1);
        ExecutionRecord firstRecord = provider.getExecution("a", 1).orElseThrow();

        OrchestrationWorkItem start2 = fetch();
        provider.commitTurn(start2.lockToken(), Turn.of(2).events(start2.messages().get(0).event())
                .customStatus("\"second\"").build());
        for (int i = 0; i < 3; i++) {
            provider.enqueueOrchestratorMessage(event("a", "n" + i), null);
            OrchestrationWorkItem item = fetch();
            assertThat(item.execution().executionId()).isEqualTo(2);
            provider.commitTurn(item.lockToken(), Turn.of(2).events(item.messages().get(0).event()).build());
        }
        provider.enqueueOrchestratorMessage(event("a", "end"), null);
        completeNext("a", "\"done\"");

        assertThat(provider.readHistory("a", 1)).isEqualTo(firstHistory);
        assertThat(provider.getExecution("a", 1).orElseThrow()).isEqualTo(firstRecord);
        List<HistoryEvent> second = provider.readHistory("a", 2);
        assertThat(second).hasSize(6);
        assertThat(second.get(0)).isInstanceOf(HistoryEvent.ExecutionStarted.class);
        assertThat(second.get(5)).isInstanceOf(HistoryEvent.ExecutionCompleted.class);
        assertThat(provider.getExecution("a", 2).orElseThrow().turnCount()).isEqualTo(5);
        InstanceStatus status = provider.getInstance("a").orElseThrow();
        assertThat(status.executionId()).isEqualTo(2);
        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.output()).isEqualTo("\"done\"");
        assertThat(status.customStatus()).isEqualTo("\"second\"");
    }

    @Test
    public void aChainOfExecutionsKeepsEachHistorySeparate() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        continueAsNew(fetch(), 1, "\"2\"");
        for (long execution = 2; execution <= 4; execution++) {
            OrchestrationWorkItem item = fetch();
            assertThat(item.execution().executionId()).isEqualTo(execution);
            assertThat(item.history()).isEmpty();
            assertThat(item.execution().initiatedBy()).isEqualTo(InitiatedBy.CONTINUE_AS_NEW);
            continueAsNew(item, execution, "\"" + (execution + 1) + "\"");
        }
        OrchestrationWorkItem last = fetch();
        assertThat(last.execution().executionId()).isEqualTo(5);
        provider.commitTurn(last.lockToken(), Turn.of(5).events(last.messages().get(0).event()).completed("5").build());

        assertThat(provider.readHistory("a", 1)).hasSize(3);
        for (long execution = 2; execution <= 4; execution++) {
            List<HistoryEvent> history = provider.readHistory("a", execution);
            String input = "\"" + execution + "\"";
            assertThat(history).hasSize(2);
            assertThat(history.get(0)).isInstanceOfSatisfying(HistoryEvent.ExecutionStarted.class,
                    e -> assertThat(e.input()).isEqualTo(input));
            assertThat(history.get(1)).isInstanceOf(HistoryEvent.ExecutionContinuedAsNew.class);
            assertThat(provider.getExecution("a", execution).orElseThrow().turnCount()).isEqualTo(1);
        }
        assertThat(provider.readHistory("a", 5)).hasSize(2);
        assertThat(provider.getExecution("a", 6)).isEmpty();
        assertThat(provider.getInstance("a").orElseThrow().executionId()).isEqualTo(5);
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }
}
