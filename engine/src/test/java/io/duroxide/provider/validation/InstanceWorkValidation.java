package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.InstanceWork;
import io.duroxide.provider.InstanceWork.QueuedActivity;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code instanceWork(id)}: an instance's queued and held work items, each with its lock if held, its delivery
 * count and the ready items of any instance that workers take before it; and its messages with the time they
 * become visible (a timer's fire time).
 */
public abstract class InstanceWorkValidation extends ProviderValidation {
    /** Stores keep milliseconds (SQLite) or microseconds; both clocks are this host's. */
    private static final Duration CLOCK_GRANULARITY = Duration.ofMillis(50);

    private InstanceWork work(String instanceId) {
        return provider.instanceWork(instanceId)
                .orElseThrow(() -> new AssertionError(provider.name() + " does not report an instance's work"));
    }

    @Test
    public void anUnknownInstanceHasNoWork() {
        assertThat(work("nobody")).isEqualTo(new InstanceWork(List.of(), List.of()));
    }

    @Test
    public void aStartedInstanceHasItsStartMessageVisibleNow() {
        Instant before = Instant.now().minus(CLOCK_GRANULARITY);
        provider.createInstance(newInstance("a", "Orch"));

        InstanceWork work = work("a");

        assertThat(work.activities()).isEmpty();
        assertThat(work.messages()).singleElement().satisfies(m -> {
            assertThat(m.event()).isInstanceOf(HistoryEvent.ExecutionStarted.class);
            assertThat(m.visibleAt()).isBetween(before, Instant.now().plus(CLOCK_GRANULARITY));
        });
    }

    @Test
    public void workItemsCountTheReadyItemsAheadOfThemAndShowTheLockOfTheOneHeld() {
        scenarios().startWithActivities("first", 2);
        scenarios().startWithActivities("second", 3);

        assertThat(work("second").activities()).extracting(a -> a.item().taskId(), QueuedActivity::readyAhead,
                        QueuedActivity::deliveryCount)
                .containsExactly(tuple(1, 2L, 0), tuple(2, 3L, 0),
                        tuple(3, 4L, 0));
        assertThat(work("second").activities()).allSatisfy(a -> assertThat(a.lockedUntil()).isNull());

        ActivityLease taken = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(taken.item().instanceId()).isEqualTo("first");
        assertThat(work("second").activities()).extracting(QueuedActivity::readyAhead).containsExactly(1L, 2L, 3L);
        QueuedActivity held = work("first").activities().get(0);
        assertThat(held.deliveryCount()).isEqualTo(1);
        Instant expected = Instant.now().plus(LONG_LOCK);
        assertThat(held.lockedUntil()).isBetween(expected.minus(Duration.ofSeconds(5)), expected.plus(CLOCK_GRANULARITY));

        provider.completeActivity(taken.lockToken(), new OrchestratorMessage("first", 1L,
                new HistoryEvent.ActivityCompleted(now(), 1, "\"done\"")));
        assertThat(work("first").activities()).extracting(a -> a.item().taskId()).containsExactly(2);
        assertThat(work("first").messages()).extracting(m -> (Object) m.event().getClass())
                .containsExactly(HistoryEvent.ActivityCompleted.class);
        assertThat(work("second").activities()).extracting(QueuedActivity::readyAhead).containsExactly(1L, 2L, 3L);
    }

    @Test
    public void aTimerIsAMessageVisibleAtItsFireTimeAndEventsAreListedAfterDueOnes() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        long fireAt = now() + 3_600_000;
        HistoryEvent.TimerFired fired = new HistoryEvent.TimerFired(fireAt, 1, fireAt);
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event(),
                        new HistoryEvent.TimerCreated(now(), 1, fireAt))
                .message(new TimedMessage(new OrchestratorMessage("a", 1L, fired),
                        Instant.ofEpochMilli(fireAt))).build());
        provider.enqueueOrchestratorMessage(event("a", "approval"), null);

        InstanceWork work = work("a");

        assertThat(work.messages()).extracting(m -> (Object) m.event().getClass())
                .containsExactly(HistoryEvent.EventRaised.class, HistoryEvent.TimerFired.class);
        assertThat(work.messages().get(1).visibleAt()).isEqualTo(Instant.ofEpochMilli(fireAt));
    }
}
