package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.childStart;
import static io.duroxide.provider.validation.ValidationSupport.completion;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A commit that fails half way leaves no trace. Each test gives {@code commitTurn} a write whose last part
 * cannot be stored (a work item or message without an instance, a child start without a name), after parts
 * that can: the call must fail, not as a lost lock, and history, instance, executions, both queues and child
 * instances must be exactly as before, with the lock still held so the same turn can be committed correctly.
 */
public abstract class FailedCommitValidation extends ProviderValidation {

    /** What a failed commit must not have changed. */
    private record Snapshot(InstanceStatus instance, ExecutionRecord execution, List<HistoryEvent> history,
            QueueDepths depths) {}

    private Snapshot snapshot(String id) {
        return new Snapshot(provider.getInstance(id).orElseThrow(), provider.getExecution(id, 1).orElseThrow(),
                provider.readHistory(id, 1), provider.queueDepths());
    }

    private void assertRefused(OrchestrationWorkItem item, Turn write) {
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), write.build()))
                .isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(LockLostException.class);
    }

    /** The same turn, written correctly, still commits: the lock survived the failure. */
    private void assertTheTurnCanStillCommit(OrchestrationWorkItem item) {
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
        assertThat(provider.readHistory(item.instanceId(), 1)).hasSize(item.history().size() + item.messages().size());
    }

    private OrchestrationWorkItem runningTurn(String id) {
        scenarios().startAndRunFirstTurn(id);
        provider.enqueueOrchestratorMessage(event(id, "go"), null);
        return fetch();
    }

    private static ActivityWorkItem itemWithoutInstance(int taskId) {
        return new ActivityWorkItem(null, 1, taskId, "Orch", "Act", "\"x\"", null, 0, 1, 0);
    }

    @Test
    public void aCommitFailingAtItsActivitiesStoresNoHistoryStatusOrEarlierActivities() {
        OrchestrationWorkItem item = runningTurn("a");
        Snapshot before = snapshot("a");
        assertRefused(item, Turn.consuming(item)
                .events(new HistoryEvent.ActivityScheduled(now(), 1, "Act", "\"x\"", null, 0, 1, 0))
                .customStatus("\"half\"")
                .activity(workItem("a", 1, 1))
                .activity(itemWithoutInstance(2)));
        assertThat(snapshot("a")).isEqualTo(before);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertTheTurnCanStillCommit(item);
    }

    @Test
    public void aCommitFailingAtItsMessagesStoresNoActivitiesOrEarlierMessages() {
        scenarios().startAndRunFirstTurn("other");
        OrchestrationWorkItem item = runningTurn("a");
        Snapshot before = snapshot("a");
        assertRefused(item, Turn.consuming(item)
                .activity(workItem("a", 1, 1))
                .message(event("other", "first"))
                .message(new OrchestratorMessage(null, null, new HistoryEvent.EventRaised(now(), "broken", "1"))));
        assertThat(snapshot("a")).isEqualTo(before);
        assertThat(provider.readHistory("other", 1)).hasSize(1);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertTheTurnCanStillCommit(item);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void aCommitFailingAtItsSecondChildStartCreatesNeitherChild() {
        OrchestrationWorkItem item = runningTurn("parent");
        Snapshot before = snapshot("parent");
        HistoryEvent.ExecutionStarted nameless = new HistoryEvent.ExecutionStarted(now(), null, "1.0", "1",
                childStart("Child", "parent", 2).initiatedBy(), childStart("Child", "parent", 2).parent());
        assertRefused(item, Turn.consuming(item)
                .message(new OrchestratorMessage("child-1", 1L, childStart("Child", "parent", 1)))
                .message(new OrchestratorMessage("child-2", 1L, nameless)));
        assertThat(snapshot("parent")).isEqualTo(before);
        assertThat(provider.getInstance("child-1")).isEmpty();
        assertThat(provider.getInstance("child-2")).isEmpty();
        assertTheTurnCanStillCommit(item);
    }

    /** A terminal turn removes the instance's outstanding work, but only if the whole turn is stored. */
    @Test
    public void aFailedTerminalCommitKeepsTheOutstandingActivityWork() {
        scenarios().startWithActivities("a", 2);
        ActivityLease leased = provider.fetchActivity(LONG_LOCK).orElseThrow();
        provider.enqueueOrchestratorMessage(event("a", "stop"), null);
        OrchestrationWorkItem item = fetch();
        Snapshot before = snapshot("a");
        assertRefused(item, Turn.consuming(item).completed("1")
                .message(new OrchestratorMessage(null, null, new HistoryEvent.EventRaised(now(), "broken", "1"))));
        assertThat(snapshot("a")).isEqualTo(before);
        assertThat(provider.queueDepths().activityReady()).isEqualTo(1);
        provider.renewActivityLock(leased.lockToken(), LONG_LOCK);
        provider.completeActivity(leased.lockToken(), completion("a", 1, "1"));
        assertTheTurnCanStillCommit(item);
    }

    @Test
    public void aFailedCommitIsNotAnotherDelivery() {
        OrchestrationWorkItem item = runningTurn("a");
        assertRefused(item, Turn.consuming(item).activity(itemWithoutInstance(1)));
        provider.abandonOrchestrationItem(item.lockToken(), null);
        OrchestrationWorkItem again = fetch();
        assertThat(again.attemptCount()).isEqualTo(2);
        assertThat(again.messages()).isEqualTo(item.messages());
    }

    @Test
    public void aCompletionThatCannotBeStoredKeepsItsWorkItem() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThatThrownBy(() -> provider.completeActivity(lease.lockToken(),
                        new OrchestratorMessage(null, 1L, ValidationSupport.activityCompleted(1, "1"))))
                .isInstanceOf(RuntimeException.class)
                .isNotInstanceOf(LockLostException.class);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        provider.renewActivityLock(lease.lockToken(), LONG_LOCK);
        provider.completeActivity(lease.lockToken(), completion("a", 1, "1"));
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
    }
}
