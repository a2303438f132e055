package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.await;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.checkBefore;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.timer;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Delayed visibility, which is how timers work: a message is invisible (not fetched, not counted as ready)
 * until its time, an earlier timer is never held back by a later one, instances are fetched in the order
 * their messages become visible once their age no longer decides, and a message that becomes visible while its instance is locked waits
 * for the next turn instead of being consumed by the current one.
 */
public abstract class DelayedVisibilityValidation extends ProviderValidation {
    /** Far enough ahead that nothing becomes visible during a test. */
    private static final long FAR_FUTURE_MS = 600_000;

    @Test
    public void instancesAreFetchedInTheOrderTheirTimersFireNotTheOrderTheyWereSet() {
        long base = now();
        long[] fireOffsets = {900, 300, 600};
        String[] ids = {"x", "y", "z"};
        for (String id : List.of("y", "z", "x")) { // created in firing order: between them, age would decide first
            scenarios().startAndRunFirstTurn(id);
        }
        for (int i = 0; i < ids.length; i++) {
            provider.enqueueOrchestratorMessage(timer(ids[i], 1, 1, base + fireOffsets[i]).message(),
                    Instant.ofEpochMilli(base + fireOffsets[i]));
        }
        List<String> fetched = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            OrchestrationWorkItem item = awaitPresent("a timer", () -> provider.fetchOrchestrationItem(LONG_LOCK));
            HistoryEvent.TimerFired fired = (HistoryEvent.TimerFired) item.messages().get(0).event();
            assertThat(now()).isGreaterThanOrEqualTo(fired.fireAtMs());
            fetched.add(item.instanceId());
            provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
        }
        assertThat(fetched).containsExactly("y", "z", "x");
    }

    /** Past the seniority window, age no longer decides: visible time does, before enqueue order. */
    @Test
    public void instancesOlderThanTheSeniorityWindowAreFetchedByVisibleTimeBeforeEnqueueOrder() {
        startAndRunFirstTurn("back-dated");
        backdateCreation("back-dated", Duration.ofMinutes(10));
        provider.createInstance(newInstance("oldest", "Orch"));
        backdateCreation("oldest", Duration.ofMinutes(20));
        provider.enqueueOrchestratorMessage(event("oldest", "new"), null);
        provider.enqueueOrchestratorMessage(event("back-dated", "old"),
                Instant.ofEpochMilli(now() - Provider.SENIORITY_WINDOW.multipliedBy(2).toMillis()));
        assertThat(fetch().instanceId()).isEqualTo("back-dated");
        assertThat(fetch().instanceId()).isEqualTo("oldest");
    }

    @Test
    public void anEarlierTimerIsNotHeldBackByALaterOneSetBeforeIt() {
        scenarios().startAndRunFirstTurn("a");
        OrchestrationWorkItem turn = turnOf("a");
        long soon = now() + 300;
        provider.commitTurn(turn.lockToken(), Turn.consuming(turn)
                .message(timer("a", 1, 1, now() + FAR_FUTURE_MS))
                .message(timer("a", 1, 2, soon))
                .build());
        OrchestrationWorkItem fired = awaitPresent("the earlier timer", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(fired.messages()).extracting(m -> ((HistoryEvent.TimerFired) m.event()).taskId()).containsExactly(2);
        provider.commitTurn(fired.lockToken(), Turn.consuming(fired).build());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
    }

    @Test
    public void aDelayedMessageIsNotReadyWorkUntilItsTime() {
        scenarios().startAndRunFirstTurn("a");
        long visibleAt = now() + 500;
        provider.enqueueOrchestratorMessage(event("a", "later"), Instant.ofEpochMilli(visibleAt));
        checkBefore(visibleAt, () -> assertThat(provider.queueDepths().orchestratorReady()).isZero());
        await("the message to be ready", () -> provider.queueDepths().orchestratorReady() == 1);
        assertThat(now()).isGreaterThanOrEqualTo(visibleAt);
    }

    @Test
    public void aPastVisibleTimeIsVisibleAtOnce() {
        scenarios().startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "overdue"), Instant.ofEpochMilli(now() - 5_000));
        assertThat(provider.queueDepths().orchestratorReady()).isEqualTo(1);
        assertThat(fetch().messages()).extracting(ValidationSupport::eventName).containsExactly("overdue");
    }

    /** A timer that fires while its instance is locked was not fetched, so the turn's commit must leave it queued. */
    @Test
    public void aTimerThatFiresDuringATurnIsKeptForTheNextTurn() {
        scenarios().startAndRunFirstTurn("a");
        OrchestrationWorkItem busy = turnOf("a");
        long fireAt = now() + 300;
        provider.enqueueOrchestratorMessage(timer("a", 1, 1, fireAt).message(), Instant.ofEpochMilli(fireAt));
        await("the timer to fire while the instance is locked", () -> now() > fireAt);
        provider.commitTurn(busy.lockToken(), Turn.consuming(busy).build());

        OrchestrationWorkItem next = fetch();
        assertThat(ValidationSupport.types(next.messages())).containsExactly(HistoryEvent.TimerFired.class);
        assertThat(next.attemptCount()).isEqualTo(1);
    }

    @Test
    public void abandonWithZeroDelayIsVisibleAtOnce() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.abandonOrchestrationItem(item.lockToken(), Duration.ZERO);
        assertThat(provider.queueDepths().orchestratorReady()).isEqualTo(1);
        assertThat(fetch().attemptCount()).isEqualTo(2);
    }

    @Test
    public void anAbandonDelayCountsFromTheAbandonNotTheFetch() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        long fetchedAt = now();
        await("the turn to take a while", () -> now() > fetchedAt + 400);
        long abandonedAt = now();
        provider.abandonOrchestrationItem(item.lockToken(), Duration.ofMillis(400));
        awaitPresent("the abandon delay", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now() - abandonedAt).isGreaterThanOrEqualTo(400);
    }

    @Test
    public void anActivityAbandonedWithADelayIsNotReadyUntilTheDelayPasses() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        long abandonedAt = now();
        provider.abandonActivity(lease.lockToken(), Duration.ofMillis(400));
        checkBefore(abandonedAt + 400, () -> {
            assertThat(provider.queueDepths().activityReady()).isZero();
            assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        });
        await("the item to be ready", () -> provider.queueDepths().activityReady() == 1);
        assertThat(now() - abandonedAt).isGreaterThanOrEqualTo(400);
        assertThat(provider.fetchActivity(LONG_LOCK).orElseThrow().deliveryCount()).isEqualTo(2);
    }

    @Test
    public void anActivityDelayedByAnAbandonDoesNotHoldBackTheOthers() {
        scenarios().startWithActivities("a", 2);
        ActivityLease first = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(first.item().taskId()).isEqualTo(1);
        provider.abandonActivity(first.lockToken(), Duration.ofMillis(FAR_FUTURE_MS));
        ActivityLease second = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(second.item().taskId()).isEqualTo(2);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
    }

    @Test
    public void aTimerForAnotherInstanceWrittenByATurnIsDelayedToo() {
        scenarios().startAndRunFirstTurn("sender");
        scenarios().startAndRunFirstTurn("target");
        OrchestrationWorkItem turn = turnOf("sender");
        long visibleAt = now() + 300;
        provider.commitTurn(turn.lockToken(), Turn.consuming(turn).message(timer("target", 1, 5, visibleAt)).build());
        checkBefore(visibleAt, () -> assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
        OrchestrationWorkItem fired = awaitPresent("the delayed message", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(fired.instanceId()).isEqualTo("target");
        assertThat(now()).isGreaterThanOrEqualTo(visibleAt);
    }

    /** Sends {@code id} an event and fetches the turn that carries it. */
    private OrchestrationWorkItem turnOf(String id) {
        provider.enqueueOrchestratorMessage(event(id, "go"), null);
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo(id);
        return item;
    }
}
