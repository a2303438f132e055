package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.eventName;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator queue: instance creation and its start message, FIFO delivery per instance, the order
 * instances are fetched in (oldest instance first, within the seniority window),
 * peek-lock (a fetch hides messages until commit or abandon), delayed visibility, and messages that
 * arrive while an instance is locked being kept for the next turn.
 */
public abstract class QueueSemanticsValidation extends ProviderValidation {

    @Test
    public void createInstanceWritesInstanceExecutionAndStartMessage() {
        long before = now();
        NewInstance start = newInstance("a", "Orch");
        provider.createInstance(start);

        InstanceStatus status = provider.getInstance("a").orElseThrow();
        assertThat(status.instanceId()).isEqualTo("a");
        assertThat(status.name()).isEqualTo("Orch");
        assertThat(status.version()).isEqualTo("1.0");
        assertThat(status.status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(status.executionId()).isEqualTo(1);
        assertThat(status.input()).isEqualTo("\"input-a\"");
        assertThat(status.output()).isNull();
        assertThat(status.failure()).isNull();
        assertThat(status.parentInstanceId()).isNull();
        assertThat(status.createdAt()).isAfterOrEqualTo(Instant.ofEpochMilli(before));

        ExecutionRecord execution = provider.getExecution("a", 1).orElseThrow();
        assertThat(execution.initiatedBy()).isEqualTo(InitiatedBy.CLIENT);
        assertThat(execution.turnCount()).isZero();
        assertThat(execution.startedAt()).isAfterOrEqualTo(Instant.ofEpochMilli(before));
        assertThat(provider.getExecution("a", 2)).isEmpty();

        OrchestrationWorkItem item = fetch();
        assertThat(item.instance().status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(item.execution()).isEqualTo(execution);
        assertThat(item.history()).isEmpty();
        assertThat(item.historyError()).isNull();
        assertThat(item.attemptCount()).isEqualTo(1);
        assertThat(item.messages()).hasSize(1);
        assertThat(item.messages()).containsExactly(start.startMessage());
    }

    @Test
    public void duplicateInstanceIdIsRejectedWithItsStatusAndChangesNothing() {
        provider.createInstance(newInstance("dup", "Orch"));
        assertThatThrownBy(() -> provider.createInstance(newInstance("dup", "Other")))
                .isInstanceOf(InstanceAlreadyExistsException.class)
                .hasMessageContaining("dup")
                .hasMessageContaining("PENDING");
        assertThat(provider.getInstance("dup").orElseThrow().name()).isEqualTo("Orch");
        assertThat(provider.queueDepths().orchestratorReady()).isEqualTo(1);

        // Also after it completed: the id stays taken until purged.
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).completed("1").build());
        assertThatThrownBy(() -> provider.createInstance(newInstance("dup", "Orch")))
                .isInstanceOf(InstanceAlreadyExistsException.class)
                .hasMessageContaining("COMPLETED");
        assertThat(provider.getInstance("dup").orElseThrow().output()).isEqualTo("1");
    }

    @Test
    public void signalWithStartCreatesOnlyOnceAndAlwaysEnqueuesTheSignal() {
        assertThat(provider.signalWithStart(newInstance("s", "Orch"), event("s", "first"))).isTrue();
        assertThat(provider.signalWithStart(newInstance("s", "Orch"), event("s", "second"))).isFalse();

        OrchestrationWorkItem item = fetch();
        assertThat(types(item.messages())).containsExactly(HistoryEvent.ExecutionStarted.class,
                HistoryEvent.EventRaised.class, HistoryEvent.EventRaised.class);
        assertThat(eventName(item.messages().get(1))).isEqualTo("first");
        assertThat(item.messages().get(0).executionId()).isEqualTo(1L);
        assertThat(item.messages().get(1).executionId()).isNull();
        assertThat(eventName(item.messages().get(2))).isEqualTo("second");
        assertThat(provider.getExecution("s", 1).orElseThrow().initiatedBy()).isEqualTo(InitiatedBy.CLIENT);
    }

    @Test
    public void enqueueForUnknownInstanceFails() {
        assertThatThrownBy(() -> provider.enqueueOrchestratorMessage(event("ghost", "e"), null))
                .isInstanceOf(InstanceNotFoundException.class)
                .hasMessageContaining("ghost");
        assertThat(provider.queueDepths().orchestratorReady()).isZero();
        assertThat(provider.getInstance("ghost")).isEmpty();
    }

    @Test
    public void messagesOfAnInstanceAreDeliveredInEnqueueOrder() {
        startAndRunFirstTurn("a");
        List<String> names = IntStream.range(0, 20).mapToObj(i -> "e" + i).toList();
        for (String name : names) {
            provider.enqueueOrchestratorMessage(event("a", name), null);
        }
        OrchestrationWorkItem item = fetch();
        assertThat(item.messages()).extracting(ValidationSupport::eventName).containsExactlyElementsOf(names);
        provider.commitTurn(item.lockToken(), Turn.of(1)
                .events(item.messages().stream().map(OrchestratorMessage::event).toList()).build());

        List<HistoryEvent> history = provider.readHistory("a", 1);
        assertThat(history).hasSize(21);
        assertThat(history.subList(1, 21)).extracting(e -> ((HistoryEvent.EventRaised) e).name())
                .containsExactlyElementsOf(names);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void instancesAreFetchedInTheOrderTheyWereCreated() {
        for (String id : List.of("c", "a", "b")) {
            provider.createInstance(newInstance(id, "Orch"));
        }
        assertThat(List.of(fetch().instanceId(), fetch().instanceId(), fetch().instanceId()))
                .containsExactly("c", "a", "b");
    }

    /** Under a backlog, an instance that has started finishes before newer ones take its turns. */
    @Test
    public void anInstanceThatStartedTakesItsNextTurnBeforeANewerInstanceStarts() {
        startAndRunFirstTurn("started");
        awaitClockPastCreationOf("started");
        provider.createInstance(newInstance("newer", "Orch"));
        provider.enqueueOrchestratorMessage(event("started", "next"), null);
        assertThat(List.of(fetch().instanceId(), fetch().instanceId())).containsExactly("started", "newer");
    }

    @Test
    public void anOlderInstanceGoesBeforeANewerOnesMessageVisibleLessThanTheSeniorityWindowEarlier() {
        startAndRunFirstTurn("older");
        startAndRunFirstTurn("newer");
        backdateCreation("older", Duration.ofMinutes(10));
        provider.enqueueOrchestratorMessage(event("newer", "waiting"),
                Instant.now().minus(Provider.SENIORITY_WINDOW.dividedBy(2)));
        provider.enqueueOrchestratorMessage(event("older", "just-now"), null);
        assertThat(List.of(fetch().instanceId(), fetch().instanceId())).containsExactly("older", "newer");
    }

    /** Seniority is capped, so that a stream of older instances' work cannot starve a newer instance. */
    @Test
    public void aMessageIsNotPassedByOnesThatBecameVisibleMoreThanTheSeniorityWindowAfterIt() {
        startOlderAndNewer();
        provider.enqueueOrchestratorMessage(event("older", "just-now"), null);
        provider.enqueueOrchestratorMessage(event("newer", "waiting"),
                Instant.now().minus(Provider.SENIORITY_WINDOW.multipliedBy(2)));
        assertThat(List.of(fetch().instanceId(), fetch().instanceId())).containsExactly("newer", "older");
    }

    /**
     * A batch holds the first instances in fetch order, each once, each with its own visible messages (in enqueue
     * order) and its own history; the next batch goes on where it stopped.
     */
    @Test
    public void aBatchFetchHoldsTheFirstInstancesInFetchOrderEachWithItsOwnMessages() {
        startAndRunFirstTurn("started");
        awaitClockPastCreationOf("started");
        for (String id : List.of("c", "a", "b")) {
            provider.createInstance(newInstance(id, "Orch"));
        }
        provider.enqueueOrchestratorMessage(event("started", "s1"), null);
        provider.enqueueOrchestratorMessage(event("c", "c1"), null);
        provider.enqueueOrchestratorMessage(event("started", "s2"), null);
        provider.enqueueOrchestratorMessage(event("c", "later"), Instant.now().plus(Duration.ofHours(1)));

        List<OrchestrationWorkItem> batch = provider.fetchOrchestrationItems(LONG_LOCK, 3);
        assertThat(batch).extracting(OrchestrationWorkItem::instanceId).containsExactly("started", "c", "a");
        assertThat(batch).extracting(OrchestrationWorkItem::lockToken).doesNotHaveDuplicates();
        for (OrchestrationWorkItem item : batch) {
            assertThat(item.messages()).extracting(OrchestratorMessage::instanceId).containsOnly(item.instanceId());
            assertThat(item.attemptCount()).isEqualTo(1);
        }
        assertThat(batch.get(0).messages()).extracting(ValidationSupport::eventName).containsExactly("s1", "s2");
        assertThat(batch.get(0).history()).hasSize(1);
        assertThat(types(batch.get(1).messages()))
                .containsExactly(HistoryEvent.ExecutionStarted.class, HistoryEvent.EventRaised.class);
        assertThat(eventName(batch.get(1).messages().get(1))).isEqualTo("c1");
        assertThat(batch.get(1).history()).isEmpty();
        assertThat(types(batch.get(2).messages())).containsExactly(HistoryEvent.ExecutionStarted.class);

        // Each token consumes exactly its own instance's messages.
        for (OrchestrationWorkItem item : batch) {
            provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
        }
        List<OrchestrationWorkItem> next = provider.fetchOrchestrationItems(LONG_LOCK, 3);
        assertThat(next).extracting(OrchestrationWorkItem::instanceId).containsExactly("b");
        assertThat(types(next.get(0).messages())).containsExactly(HistoryEvent.ExecutionStarted.class);
        assertThat(provider.readHistory("started", 1)).hasSize(3);
        assertThat(provider.readHistory("c", 1)).hasSize(2);
    }

    /** An instance with several ready messages appears once in a batch, ranked by the first of them in fetch order. */
    @Test
    public void anInstanceAppearsOnceInABatchRankedByItsBestMessage() {
        startOlderAndNewer();
        provider.enqueueOrchestratorMessage(event("older", "just-now"), null);
        provider.enqueueOrchestratorMessage(event("newer", "just-now"), null);
        provider.enqueueOrchestratorMessage(event("newer", "waiting"),
                Instant.now().minus(Provider.SENIORITY_WINDOW.multipliedBy(2)));

        List<OrchestrationWorkItem> batch = provider.fetchOrchestrationItems(LONG_LOCK, 5);
        assertThat(batch).extracting(OrchestrationWorkItem::instanceId).containsExactly("newer", "older");
        assertThat(batch.get(0).messages()).extracting(ValidationSupport::eventName)
                .containsExactly("just-now", "waiting");
    }

    /** Instances "older" and "newer", each past its first turn, created ten and five minutes ago. */
    private void startOlderAndNewer() {
        startAndRunFirstTurn("older");
        startAndRunFirstTurn("newer");
        backdateCreation("older", Duration.ofMinutes(10));
        backdateCreation("newer", Duration.ofMinutes(5));
    }

    @Test
    public void fetchLocksTheInstanceAndLateMessagesSurviveTheCommit() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem first = fetch();
        assertThat(first.history()).hasSize(1);
        assertThat(types(first.messages())).containsExactly(HistoryEvent.EventRaised.class);

        // Locked: a second fetch gets nothing, even though a new message arrives.
        provider.enqueueOrchestratorMessage(event("a", "late"), null);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths().orchestratorReady()).isZero();

        provider.commitTurn(first.lockToken(), Turn.of(1).events(first.messages().get(0).event()).build());

        OrchestrationWorkItem next = fetch();
        assertThat(next.messages()).hasSize(1);
        assertThat(eventName(next.messages().get(0))).isEqualTo("late");
        assertThat(next.history()).hasSize(2);
        assertThat(next.execution().turnCount()).isEqualTo(2);
        assertThat(next.attemptCount()).isEqualTo(1);
    }

    @Test
    public void abandonReturnsTheSameMessagesAndChangesNothing() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        provider.enqueueOrchestratorMessage(event("a", "e2"), null);
        OrchestrationWorkItem item = fetch();
        InstanceStatus before = provider.getInstance("a").orElseThrow();
        provider.abandonOrchestrationItem(item.lockToken(), null);

        assertThat(provider.queueDepths().orchestratorReady()).isEqualTo(2);
        OrchestrationWorkItem again = fetch();
        assertThat(again.lockToken()).isNotEqualTo(item.lockToken());
        assertThat(again.messages()).isEqualTo(item.messages());
        assertThat(again.history()).isEqualTo(item.history());
        assertThat(provider.getInstance("a").orElseThrow()).isEqualTo(before);
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    @Test
    public void abandonWithDelayHidesTheMessagesAndUnknownTokensFail() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        long abandonedAt = now();
        provider.abandonOrchestrationItem(item.lockToken(), Duration.ofMillis(300));
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        OrchestrationWorkItem again = awaitPresent("the abandon delay", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now()).isGreaterThanOrEqualTo(abandonedAt + 300);
        assertThat(again.attemptCount()).isEqualTo(2);

        assertThatThrownBy(() -> provider.abandonOrchestrationItem(item.lockToken(), null))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.renewOrchestrationLock("no-such-token", LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.commitTurn("no-such-token", Turn.of(1).build()))
                .isInstanceOf(LockLostException.class);
        provider.renewOrchestrationLock(again.lockToken(), LONG_LOCK);
        provider.commitTurn(again.lockToken(), Turn.of(1).events(again.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    /**
     * The runtime puts a start back with a delay when it cannot run it yet (its orchestration is not registered
     * there). An event or signal sent meanwhile must not be delivered without it: the instance is held back as a
     * whole, and then delivered with every message in order, counted by the put-back start's deliveries.
     */
    @Test
    public void abandonWithDelayHoldsBackMessagesEnqueuedMeanwhile() {
        Duration delay = Duration.ofSeconds(1);
        NewInstance start = newInstance("s", "Orch");
        provider.signalWithStart(start, event("s", "first"));
        OrchestrationWorkItem item = fetch();
        long abandonedAt = now();
        provider.abandonOrchestrationItem(item.lockToken(), delay);
        provider.enqueueOrchestratorMessage(event("s", "raised"), null);
        provider.signalWithStart(newInstance("s", "Orch"), event("s", "signalled"));

        OrchestrationWorkItem again = awaitPresent("the held instance", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(types(again.messages())).containsExactly(HistoryEvent.ExecutionStarted.class, HistoryEvent.EventRaised.class,
                HistoryEvent.EventRaised.class, HistoryEvent.EventRaised.class);
        assertThat(again.messages().get(0)).isEqualTo(start.startMessage());
        assertThat(again.messages().subList(1, 4)).extracting(ValidationSupport::eventName)
                .containsExactly("first", "raised", "signalled");
        assertThat(now()).isGreaterThanOrEqualTo(abandonedAt + delay.toMillis());
        assertThat(again.attemptCount()).isEqualTo(2);

        // A started instance too: a message put back is never overtaken by a later one.
        provider.commitTurn(again.lockToken(), Turn.of(1).events(again.messages().stream().map(OrchestratorMessage::event).toList())
                .version("Orch", "1.0").build());
        provider.enqueueOrchestratorMessage(event("s", "e1"), null);
        OrchestrationWorkItem running = fetch();
        abandonedAt = now();
        provider.abandonOrchestrationItem(running.lockToken(), delay);
        provider.enqueueOrchestratorMessage(event("s", "e2"), null);
        OrchestrationWorkItem both = awaitPresent("the held instance", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(both.messages()).extracting(ValidationSupport::eventName).containsExactly("e1", "e2");
        assertThat(now()).isGreaterThanOrEqualTo(abandonedAt + delay.toMillis());
        assertThat(both.attemptCount()).isEqualTo(2);
    }

    @Test
    public void delayedMessagesBecomeVisibleAtTheirTime() {
        startAndRunFirstTurn("a");
        Instant visibleAt = Instant.ofEpochMilli(now() + 300);
        provider.enqueueOrchestratorMessage(event("a", "later"), visibleAt);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths().orchestratorReady()).isZero();

        OrchestrationWorkItem item = awaitPresent("the delayed message", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now()).isGreaterThanOrEqualTo(visibleAt.toEpochMilli());
        assertThat(item.messages()).hasSize(1);

        // A timer written by a commit behaves the same.
        long fireAt = now() + 300;
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .message(new TimedMessage(new OrchestratorMessage("a", 1L, new HistoryEvent.TimerFired(now(), 4, fireAt)),
                        Instant.ofEpochMilli(fireAt)))
                .build());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        OrchestrationWorkItem timer = awaitPresent("the timer", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now()).isGreaterThanOrEqualTo(fireAt);
        assertThat(timer.messages().get(0).event()).isInstanceOf(HistoryEvent.TimerFired.class);
        assertThat(timer.messages().get(0).executionId()).isEqualTo(1L);
    }

    @Test
    public void onlyVisibleMessagesAreTakenByAFetch() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "future"), Instant.ofEpochMilli(now() + 60_000));
        provider.enqueueOrchestratorMessage(event("a", "now"), null);
        OrchestrationWorkItem item = fetch();
        assertThat(item.messages()).extracting(ValidationSupport::eventName).containsExactly("now");
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.countActiveInstances()).containsExactly(new ActiveInstanceCount("Orch", "waiting", 1));
        assertThat(provider.readHistory("a", 1)).hasSize(2);
    }
}
