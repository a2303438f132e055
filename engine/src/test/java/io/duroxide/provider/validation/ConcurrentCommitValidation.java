package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.childStart;
import static io.duroxide.provider.validation.ValidationSupport.completion;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.race;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Calls on one instance or one work item at the same moment, from threads of one provider and from two
 * providers: one token commits or completes once however often it is sent, a renewal or abandon racing a
 * commit never leaves the instance locked or half-written, one id is created once, and parallel senders to
 * one instance lose no message.
 */
public abstract class ConcurrentCommitValidation extends ProviderValidation {
    private static final int ROUNDS = 10;

    /** Two providers when the factory supports it, else the one provider twice. */
    private List<Provider> twoProcesses() {
        return List.of(provider, openSecond().orElse(provider));
    }

    private static long failures(List<Optional<Throwable>> outcomes, Class<? extends Throwable> type) {
        outcomes.stream().flatMap(Optional::stream).filter(e -> !type.isInstance(e)).findFirst().ifPresent(e -> {
            throw new AssertionError("unexpected failure", e);
        });
        return outcomes.stream().filter(Optional::isPresent).count();
    }

    /** A runtime retrying a commit it thinks timed out sends the same token twice: the turn is stored once. */
    @Test
    public void theSameTurnCommittedTwiceAtOnceIsStoredOnce() {
        List<Provider> processes = twoProcesses();
        scenarios().startAndRunFirstTurn("a");
        for (int round = 0; round < ROUNDS; round++) {
            provider.enqueueOrchestratorMessage(event("a", "e" + round), null);
            OrchestrationWorkItem item = fetch();
            List<Optional<Throwable>> outcomes = race(processes.stream().<Runnable>map(p ->
                    () -> p.commitTurn(item.lockToken(), Turn.consuming(item).build())).toList());
            assertThat(failures(outcomes, LockLostException.class)).as("round " + round).isEqualTo(1);
        }
        assertThat(provider.readHistory("a", 1)).hasSize(1 + ROUNDS);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(1 + ROUNDS);
    }

    @Test
    public void theSameCompletionSentTwiceAtOnceIsStoredOnce() {
        List<Provider> processes = twoProcesses();
        scenarios().startWithActivities("a", ROUNDS);
        for (int task = 1; task <= ROUNDS; task++) {
            ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
            int taskId = lease.item().taskId();
            List<Optional<Throwable>> outcomes = race(processes.stream().<Runnable>map(p ->
                    () -> p.completeActivity(lease.lockToken(), completion("a", taskId, "1"))).toList());
            assertThat(failures(outcomes, LockLostException.class)).as("task " + task).isEqualTo(1);
        }
        OrchestrationWorkItem results = fetch();
        assertThat(results.messages()).extracting(m -> ((HistoryEvent.ActivityCompleted) m.event()).taskId())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, ROUNDS).boxed().toList());
    }

    /** A renewal that loses against the commit must not bring the released lock back. */
    @Test
    public void aRenewalRacingTheCommitNeverLeavesTheInstanceLocked() {
        List<Provider> processes = twoProcesses();
        scenarios().startAndRunFirstTurn("a");
        for (int round = 0; round < ROUNDS; round++) {
            provider.enqueueOrchestratorMessage(event("a", "e" + round), null);
            OrchestrationWorkItem item = fetch();
            List<Optional<Throwable>> outcomes = race(List.of(
                    () -> processes.get(0).commitTurn(item.lockToken(), Turn.consuming(item).build()),
                    () -> processes.get(1).renewOrchestrationLock(item.lockToken(), LONG_LOCK)));
            assertThat(outcomes.get(0)).as("the commit in round " + round).isEmpty();
            failures(outcomes, LockLostException.class);
        }
        provider.enqueueOrchestratorMessage(event("a", "last"), null);
        assertThat(fetch().messages()).extracting(ValidationSupport::eventName).containsExactly("last");
        assertThat(provider.readHistory("a", 1)).hasSize(1 + ROUNDS);
    }

    /** Abandon and commit of one token at once: exactly one wins, and the store shows that one outcome. */
    @Test
    public void anAbandonRacingTheCommitLeavesExactlyOneOutcome() {
        List<Provider> processes = twoProcesses();
        scenarios().startAndRunFirstTurn("a");
        int committed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            provider.enqueueOrchestratorMessage(event("a", "e" + round), null);
            OrchestrationWorkItem item = fetch();
            List<Optional<Throwable>> outcomes = race(List.of(
                    () -> processes.get(0).commitTurn(item.lockToken(), Turn.consuming(item).build()),
                    () -> processes.get(1).abandonOrchestrationItem(item.lockToken(), null)));
            assertThat(failures(outcomes, LockLostException.class)).as("round " + round).isEqualTo(1);
            if (outcomes.get(0).isEmpty()) {
                committed += item.messages().size();
            } else {
                // Abandoned: the same messages come back and are committed now.
                OrchestrationWorkItem again = fetch();
                assertThat(again.messages()).isEqualTo(item.messages());
                provider.commitTurn(again.lockToken(), Turn.consuming(again).build());
                committed += again.messages().size();
            }
            assertThat(provider.readHistory("a", 1)).hasSize(1 + committed);
        }
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void oneIdCreatedByManyClientsAtOnceIsCreatedOnce() {
        List<Provider> processes = twoProcesses();
        List<Runnable> creates = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Provider p = processes.get(i % 2);
            creates.add(() -> p.createInstance(newInstance("a", "Orch")));
        }
        assertThat(failures(race(creates), InstanceAlreadyExistsException.class)).isEqualTo(5);
        OrchestrationWorkItem item = fetch();
        assertThat(item.messages()).hasSize(1);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void signalWithStartFromManyClientsAtOnceStartsOnceAndKeepsEverySignal() {
        List<Provider> processes = twoProcesses();
        List<Boolean> started = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> signals = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Provider p = processes.get(i % 2);
            String name = "s" + i;
            signals.add(() -> started.add(p.signalWithStart(newInstance("a", "Orch"), event("a", name))));
        }
        assertThat(failures(race(signals), Throwable.class)).isZero();
        assertThat(started).containsOnlyOnce(true).hasSize(6);
        OrchestrationWorkItem item = fetch();
        assertThat(item.messages().get(0).event()).isInstanceOf(HistoryEvent.ExecutionStarted.class);
        assertThat(item.messages().subList(1, item.messages().size())).extracting(ValidationSupport::eventName)
                .containsExactlyInAnyOrder("s0", "s1", "s2", "s3", "s4", "s5");
    }

    /** Fan-in: several instances commit turns at once, each sending to the same instance. */
    @Test
    public void parallelTurnsSendingToOneInstanceDeliverEveryMessageOnce() {
        List<Provider> processes = twoProcesses();
        scenarios().startAndRunFirstTurn("target");
        int senders = 6;
        List<OrchestrationWorkItem> turns = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            scenarios().startAndRunFirstTurn("sender-" + i);
        }
        for (int i = 0; i < senders; i++) {
            provider.enqueueOrchestratorMessage(event("sender-" + i, "go"), null);
        }
        for (int i = 0; i < senders; i++) {
            turns.add(fetch());
        }
        List<Runnable> commits = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            OrchestrationWorkItem turn = turns.get(i);
            Provider p = processes.get(i % 2);
            commits.add(() -> p.commitTurn(turn.lockToken(), Turn.consuming(turn)
                    .message(event("target", "from-" + turn.instanceId()))
                    .message(new OrchestratorMessage("child-of-all", 1L, childStart("Child", turn.instanceId(), 1)))
                    .build()));
        }
        assertThat(failures(race(commits), Throwable.class)).isZero();
        List<String> received = new ArrayList<>();
        int childStarts = 0;
        for (OrchestrationWorkItem item; (item = provider.fetchOrchestrationItem(LONG_LOCK).orElse(null)) != null; ) {
            for (OrchestratorMessage m : item.messages()) {
                if (item.instanceId().equals("target")) {
                    received.add(ValidationSupport.eventName(m));
                } else {
                    assertThat(item.instanceId()).isEqualTo("child-of-all");
                    childStarts++;
                }
            }
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, senders).mapToObj(i -> "from-sender-" + i).toList());
        // The child id was written by every sender; it exists once, and each start message is kept.
        assertThat(childStarts).isEqualTo(senders);
        assertThat(provider.listInstances(new InstanceQuery(null, "Child", null, 10))).hasSize(1);
    }
}
