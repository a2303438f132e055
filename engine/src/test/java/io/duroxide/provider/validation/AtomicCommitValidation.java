package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.childStart;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.types;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.ApiFailures;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code commitTurn} is all or nothing: history, instance and execution state, activity work,
 * outgoing messages, child instances and the consumed messages change together, and a failed
 * commit leaves the store exactly as it was with the lock still held.
 */
public abstract class AtomicCommitValidation extends ProviderValidation {

    @Test
    public void commitWritesHistoryExecutionAndInstance() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        HistoryEvent start = item.messages().get(0).event();
        provider.commitTurn(item.lockToken(), Turn.of(1)
                .events(start, new HistoryEvent.TimerCreated(now(), 1, now() + 60_000))
                .version("Orch", "1.5")
                .customStatus("{\"step\":1}")
                .build());
        InstanceStatus running = provider.getInstance("a").orElseThrow();
        assertThat(running.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(running.version()).isEqualTo("1.5");
        assertThat(running.customStatus()).isEqualTo("{\"step\":1}");
        assertThat(running.lastUpdatedAt()).isAfterOrEqualTo(running.createdAt());

        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem second = fetch();
        assertThat(types(second.history())).containsExactly(HistoryEvent.ExecutionStarted.class,
                HistoryEvent.TimerCreated.class);
        FailureDetails failure = FailureDetails.fromThrowable(FailureKind.APPLICATION,
                new IllegalStateException("boom", new RuntimeException("root")));
        // No custom-status change: the old value stays.
        provider.commitTurn(second.lockToken(), Turn.of(1).events(second.messages().get(0).event()).failed(failure)
                .build());

        InstanceStatus failed = provider.getInstance("a").orElseThrow();
        assertThat(failed.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(failed.failure()).isEqualTo(ApiFailures.toApi(failure));
        assertThat(failed.output()).isNull();
        assertThat(failed.customStatus()).isEqualTo("{\"step\":1}");
        assertThat(failed.version()).isEqualTo("1.5");
        List<HistoryEvent> history = provider.readHistory("a", 1);
        assertThat(types(history)).containsExactly(HistoryEvent.ExecutionStarted.class,
                HistoryEvent.TimerCreated.class, HistoryEvent.EventRaised.class, HistoryEvent.ExecutionFailed.class);
        assertThat(((HistoryEvent.ExecutionFailed) history.get(3)).failure()).isEqualTo(failure);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(2);
    }

    @Test
    public void commitWritesEveryEffectTogether() {
        startAndRunFirstTurn("a");
        provider.createInstance(newInstance("b", "Orch"));
        OrchestrationWorkItem b = fetch();
        provider.commitTurn(b.lockToken(), Turn.of(1).events(b.messages().get(0).event()).build());
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo("a");
        provider.commitTurn(item.lockToken(), Turn.of(1)
                .events(item.messages().get(0).event(),
                        new HistoryEvent.ActivityScheduled(now(), 2, "Act", "\"x\"", null, 0, 1, 0))
                .customStatus("\"working\"")
                .activity(workItem("a", 1, 2))
                .message(event("b", "hello"))
                .build());

        assertThat(provider.readHistory("a", 1)).hasSize(3);
        assertThat(provider.getInstance("a").orElseThrow().customStatus()).isEqualTo("\"working\"");
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(2);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 1));
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(lease.item()).isEqualTo(workItem("a", 1, 2));
        OrchestrationWorkItem toB = fetch();
        assertThat(toB.instanceId()).isEqualTo("b");
        assertThat(toB.messages()).extracting(ValidationSupport::eventName).containsExactly("hello");
    }

    @Test
    public void commitIsAllOrNothing() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem item = fetch();
        InstanceStatus before = provider.getInstance("a").orElseThrow();

        // Continue-as-new into execution 1, which exists: the commit must fail as a whole.
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.of(1)
                        .events(item.messages().get(0).event(), new HistoryEvent.ExecutionContinuedAsNew(now(), "1"))
                        .status(RuntimeStatus.RUNNING)
                        .customStatus("\"changed\"")
                        .activity(workItem("a", 1, 3))
                        .message(event("other", "x"))
                        .continueAsNew(1)
                        .build()))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e).isNotInstanceOf(LockLostException.class);
                    assertThat(e.operation()).isEqualTo("commitTurn");
                    assertThat(e.retryable()).isFalse();
                });

        assertThat(provider.getInstance("a").orElseThrow()).isEqualTo(before);
        assertThat(provider.getInstance("other")).isEmpty();
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(1);
        assertThat(provider.getExecution("a", 2)).isEmpty();
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        // The message is still locked by us, not consumed and not released.
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();

        // The lock is still ours: a correct commit succeeds and consumes the message.
        provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK);
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(2);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void commitForAMissingExecutionFailsAndKeepsTheLock() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.of(9).events(item.messages().get(0).event())
                        .build()))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("execution 9");
        assertThat(provider.readHistory("a", 1)).isEmpty();
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    @Test
    public void commitCreatesChildInstances() {
        startAndRunFirstTurn("parent");
        provider.enqueueOrchestratorMessage(event("parent", "go"), null);
        OrchestrationWorkItem item = fetch();
        provider.createInstance(newInstance("existing", "Other"));
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .message(new OrchestratorMessage("child", 1L, childStart("Child", "parent", 1)))
                .message(new OrchestratorMessage("existing", 1L, childStart("Child", "parent", 2)))
                .build());

        InstanceStatus child = provider.getInstance("child").orElseThrow();
        assertThat(child.status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(child.name()).isEqualTo("Child");
        assertThat(child.version()).isEqualTo("2.0");
        assertThat(child.input()).isEqualTo("\"child-input\"");
        assertThat(child.parentInstanceId()).isEqualTo("parent");
        assertThat(child.executionId()).isEqualTo(1);
        assertThat(provider.getExecution("child", 1).orElseThrow().initiatedBy())
                .isEqualTo(InitiatedBy.SUB_ORCHESTRATION);
        // An existing instance is not overwritten; the message is still delivered.
        InstanceStatus existing = provider.getInstance("existing").orElseThrow();
        assertThat(existing.name()).isEqualTo("Other");
        assertThat(existing.parentInstanceId()).isNull();

        OrchestrationWorkItem existingStart = fetch();
        assertThat(existingStart.instanceId()).isEqualTo("existing");
        assertThat(existingStart.messages()).hasSize(2);
        OrchestrationWorkItem childItem = fetch();
        assertThat(childItem.instanceId()).isEqualTo("child");
        assertThat(childItem.instance().parentInstanceId()).isEqualTo("parent");
        assertThat(childItem.messages().get(0).event()).isInstanceOf(HistoryEvent.ExecutionStarted.class);
    }
}
