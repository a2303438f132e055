package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.childStart;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Purge and prune, the two ways stored data is deleted. Purge removes a terminal instance and every level of
 * its sub-orchestrations with all they own (executions, histories, queued and delayed messages), all or
 * nothing, and only that tree; prune removes old executions of one instance and never the current one.
 */
public abstract class PurgeValidation extends ProviderValidation {

    @Test
    public void purgeRemovesTheHistoryAndRecordOfEveryExecution() {
        scenarios().runningInExecution("a", 3);
        scenarios().complete("a", "1");
        assertThat(provider.purgeInstance("a")).isEqualTo(1);
        for (long execution = 1; execution <= 3; execution++) {
            assertThat(provider.readHistory("a", execution)).isEmpty();
            assertThat(provider.getExecution("a", execution)).isEmpty();
        }
        assertThat(provider.getInstance("a")).isEmpty();
    }

    /** A recreated id must not inherit anything: no late event, no delayed timer, no old history. */
    @Test
    public void aPurgedIdStartsCleanWhenCreatedAgain() {
        scenarios().startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "delayed"), Instant.ofEpochMilli(now() + 600_000));
        scenarios().complete("a", "1");
        provider.enqueueOrchestratorMessage(event("a", "late"), null);
        assertThat(provider.purgeInstance("a")).isEqualTo(1);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));

        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem fresh = fetch();
        assertThat(ValidationSupport.types(fresh.messages())).containsExactly(HistoryEvent.ExecutionStarted.class);
        assertThat(fresh.history()).isEmpty();
        assertThat(fresh.execution().turnCount()).isZero();
        assertThat(fresh.attemptCount()).isEqualTo(1);
        assertThat(provider.countActiveInstances()).hasSize(1);
    }

    @Test
    public void failedAndCancelledInstancesCanBePurged() {
        FailureDetails failure = FailureDetails.of(FailureKind.APPLICATION, "Boom", "boom", false);
        provider.createInstance(newInstance("failed", "Orch"));
        OrchestrationWorkItem f = fetch();
        provider.commitTurn(f.lockToken(), Turn.consuming(f).failed(failure).build());
        provider.createInstance(newInstance("cancelled", "Orch"));
        OrchestrationWorkItem c = fetch();
        provider.commitTurn(c.lockToken(), Turn.consuming(c)
                .events(new HistoryEvent.ExecutionCancelled(now(), "stop"))
                .terminal(RuntimeStatus.CANCELLED, FailureDetails.of(FailureKind.CANCELLED, "Cancelled", "stop", false))
                .build());
        assertThat(provider.purgeInstance("failed")).isEqualTo(1);
        assertThat(provider.purgeInstance("cancelled")).isEqualTo(1);
        assertThat(provider.listInstances(InstanceQuery.all())).isEmpty();
    }

    @Test
    public void pendingAndSuspendedInstancesAreNotPurged() {
        scenarios().startAndRunFirstTurn("suspended");
        provider.enqueueOrchestratorMessage(event("suspended", "suspend"), null);
        OrchestrationWorkItem s = fetch();
        provider.commitTurn(s.lockToken(), Turn.consuming(s).status(RuntimeStatus.SUSPENDED).build());
        provider.createInstance(newInstance("pending", "Orch"));

        assertThatThrownBy(() -> provider.purgeInstance("pending"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("PENDING");
        assertThatThrownBy(() -> provider.purgeInstance("suspended"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SUSPENDED");
        assertThat(provider.getInstance("pending")).isPresent();
        assertThat(provider.readHistory("suspended", 1)).hasSize(2);
        assertThat(provider.queueDepths().orchestratorReady()).isEqualTo(1);
    }

    @Test
    public void purgeDeletesOnlyTheNamedTreeNotIdsThatShareItsPrefix() {
        for (String id : List.of("a", "a1", "ab", "a%", "a_")) {
            provider.createInstance(newInstance(id, "Orch"));
        }
        for (int i = 0; i < 5; i++) {
            OrchestrationWorkItem item = fetch();
            provider.commitTurn(item.lockToken(), Turn.consuming(item).completed("1").build());
        }
        assertThat(provider.purgeInstance("a")).isEqualTo(1);
        assertThat(provider.listInstances(InstanceQuery.all())).extracting(InstanceStatus::instanceId)
                .containsExactly("a%", "a1", "a_", "ab");
        assertThat(provider.readHistory("a1", 1)).hasSize(2);
    }

    @Test
    public void purgeCascadesThroughEveryLevelOfADeepTree() {
        int depth = 5;
        scenarios().startAndRunFirstTurn("level-0");
        for (int level = 1; level <= depth; level++) {
            String parent = "level-" + (level - 1);
            String child = "level-" + level;
            provider.enqueueOrchestratorMessage(event(parent, "spawn"), null);
            OrchestrationWorkItem turn = fetch();
            provider.commitTurn(turn.lockToken(), Turn.consuming(turn)
                    .message(new OrchestratorMessage(child, 1L, childStart("Child", parent, level))).build());
            OrchestrationWorkItem childTurn = fetch();
            provider.commitTurn(childTurn.lockToken(), Turn.consuming(childTurn).build());
        }
        for (int level = depth; level >= 0; level--) {
            scenarios().complete("level-" + level, "1");
        }
        provider.createInstance(newInstance("other", "Orch"));

        assertThat(provider.purgeInstance("level-0")).isEqualTo(depth + 1);
        for (int level = 0; level <= depth; level++) {
            assertThat(provider.getInstance("level-" + level)).isEmpty();
            assertThat(provider.readHistory("level-" + level, 1)).isEmpty();
        }
        assertThat(provider.listInstances(InstanceQuery.all())).extracting(InstanceStatus::instanceId)
                .containsExactly("other");
    }

    @Test
    public void aRefusedPurgeDeletesNothingOfTheTree() {
        scenarios().startTree(); // root → child → grandchild (pending)
        completeAll("grandchild");
        provider.enqueueOrchestratorMessage(event("root", "spawn"), null);
        OrchestrationWorkItem root = fetch();
        provider.commitTurn(root.lockToken(), Turn.consuming(root)
                .message(new OrchestratorMessage("sibling", 1L, childStart("Child", "root", 3))).build());
        completeAll("sibling");
        scenarios().complete("root", "1");
        // child is still running: nothing may go, not even the finished sibling and grandchild.
        assertThatThrownBy(() -> provider.purgeInstance("root")).isInstanceOf(IllegalStateException.class);
        for (String id : List.of("root", "child", "grandchild", "sibling")) {
            assertThat(provider.getInstance(id)).as(id).isPresent();
            assertThat(provider.readHistory(id, 1)).as(id).isNotEmpty();
        }
    }

    @Test
    public void pruneKeepsTheLastExecutionsAndReportsHowManyWentAway() {
        scenarios().runningInExecution("a", 5);
        List<HistoryEvent> fourth = provider.readHistory("a", 4);
        assertThat(provider.pruneExecutions("a", 2)).isEqualTo(3);
        for (long execution = 1; execution <= 3; execution++) {
            assertThat(provider.getExecution("a", execution)).as("execution " + execution).isEmpty();
            assertThat(provider.readHistory("a", execution)).as("execution " + execution).isEmpty();
        }
        assertThat(provider.readHistory("a", 4)).isEqualTo(fourth);
        assertThat(provider.getExecution("a", 5)).isPresent();
        assertThat(provider.pruneExecutions("a", 2)).isZero();
    }

    @Test
    public void pruneNeverDeletesTheCurrentExecutionAndItKeepsRunning() {
        scenarios().runningInExecution("a", 3);
        assertThat(provider.pruneExecutions("a", 1)).isEqualTo(2);
        assertThat(provider.getExecution("a", 3)).isPresent();
        assertThat(provider.readHistory("a", 3)).hasSize(1);
        assertThat(provider.getInstance("a").orElseThrow().executionId()).isEqualTo(3);

        provider.enqueueOrchestratorMessage(event("a", "more"), null);
        OrchestrationWorkItem item = fetch();
        assertThat(item.execution().executionId()).isEqualTo(3);
        assertThat(item.history()).hasSize(1);
        provider.commitTurn(item.lockToken(), Turn.consuming(item).completed("3").build());
        assertThat(provider.readHistory("a", 3)).hasSize(3);
    }

    @Test
    public void pruningAnInstanceWithOneExecutionDeletesNothing() {
        scenarios().startAndRunFirstTurn("a");
        assertThat(provider.pruneExecutions("a", 1)).isZero();
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    @Test
    public void pruneLeavesOtherInstancesAlone() {
        scenarios().runningInExecution("a", 3);
        scenarios().runningInExecution("b", 3);
        provider.pruneExecutions("a", 1);
        for (long execution = 1; execution <= 3; execution++) {
            assertThat(provider.getExecution("b", execution)).isPresent();
            assertThat(provider.readHistory("b", execution)).isNotEmpty();
        }
    }

    @Test
    public void pruneOfAnUnknownInstanceFailsAndAKeepOfLessThanOneIsRejected() {
        assertThatThrownBy(() -> provider.pruneExecutions("nobody", 1))
                .isInstanceOf(InstanceNotFoundException.class).hasMessageContaining("nobody");
        scenarios().runningInExecution("a", 2);
        assertThatThrownBy(() -> provider.pruneExecutions("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(provider.getExecution("a", 1)).isPresent();
        assertThat(provider.getExecution("a", 2)).isPresent();
    }

    @Test
    public void purgeAfterPruneRemovesWhatWasLeft() {
        scenarios().runningInExecution("a", 3);
        provider.pruneExecutions("a", 1);
        scenarios().complete("a", "1");
        assertThat(provider.purgeInstance("a")).isEqualTo(1);
        assertThat(provider.getExecution("a", 3)).isEmpty();
        assertThat(provider.readHistory("a", 3)).isEmpty();
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    /** Runs the first turn of each instance in order and completes it in a second one. */
    private void completeAll(String... ids) {
        for (String id : ids) {
            OrchestrationWorkItem start = fetch();
            assertThat(start.instanceId()).isEqualTo(id);
            provider.commitTurn(start.lockToken(), Turn.consuming(start).build());
            scenarios().complete(id, "1");
        }
    }
}
