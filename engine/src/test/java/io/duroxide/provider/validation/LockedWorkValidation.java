package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.activityCompleted;
import static io.duroxide.provider.validation.ValidationSupport.await;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockedWork;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code lockedWork()}: work held under unexpired locks, counted whoever holds it, gone when acknowledged,
 * abandoned or expired, so that ready ({@code queueDepths}) plus locked is all due work; and the age of the
 * oldest lock by the store's clock, since it was taken or last renewed.
 */
public abstract class LockedWorkValidation extends ProviderValidation {
    /** How long the age tests let a lock age: well above clock granularity, short enough for a test. */
    private static final Duration AGING = Duration.ofMillis(400);
    /** A lock that expires during a test but not before the test has seen it held. */
    private static final Duration EXPIRING_LOCK = Duration.ofSeconds(2);
    /** Stores keep times in milliseconds; PostgreSQL's now() is the start of the reading transaction. */
    private static final Duration CLOCK_GRANULARITY = Duration.ofMillis(50);
    private static final LockedWork NOTHING = new LockedWork(0, Duration.ZERO, 0, Duration.ZERO);

    private LockedWork locked() {
        return provider.lockedWork().orElseThrow(() -> new AssertionError(provider.name() + " does not report locked work"));
    }

    @Test
    public void nothingLockedIsZeroEvenWithReadyWork() {
        assertThat(locked()).isEqualTo(NOTHING);
        provider.createInstance(newInstance("a", "A"));
        provider.createInstance(newInstance("b", "A"));
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(2, 0));
        assertThat(locked()).isEqualTo(NOTHING);
    }

    @Test
    public void fetchedOrchestrationIsLockedUntilCommittedAndAgesByTheStoreClock() {
        provider.createInstance(newInstance("a", "A"));
        provider.createInstance(newInstance("b", "A"));
        long beforeFetch = System.nanoTime();
        OrchestrationWorkItem a = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        LockedWork held = locked();
        assertThat(held.orchestratorLocked()).isEqualTo(1);
        assertThat(held.activityLocked()).isZero();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));

        // A message for the locked instance waits for its lock: locked, not ready.
        provider.enqueueOrchestratorMessage(event(a.instanceId(), "late"), null);
        assertThat(locked().orchestratorLocked()).isEqualTo(2);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));

        assertAges(() -> locked().orchestratorOldestLockAge(), beforeFetch);

        provider.commitTurn(a.lockToken(), Turn.of(1).events(a.messages().get(0).event()).build());
        assertThat(locked()).isEqualTo(NOTHING);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(2, 0)); // b, and a's late event
    }

    @Test
    public void fetchedActivityIsLockedUntilCompletedAndAgesByTheStoreClock() {
        scheduleActivities("a", 2);
        long beforeFetch = System.nanoTime();
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        LockedWork held = locked();
        assertThat(held.activityLocked()).isEqualTo(1);
        assertThat(held.orchestratorLocked()).isZero();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 1));

        assertAges(() -> locked().activityOldestLockAge(), beforeFetch);

        provider.completeActivity(lease.lockToken(), new OrchestratorMessage("a", 1L,
                activityCompleted(lease.item().taskId(), "42")));
        assertThat(locked()).isEqualTo(NOTHING);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 1));
    }

    @Test
    public void abandonedWorkIsNoLongerLocked() {
        scheduleActivities("a", 1);
        provider.createInstance(newInstance("b", "B"));
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        OrchestrationWorkItem b = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        assertThat(locked().activityLocked()).isEqualTo(1);
        assertThat(locked().orchestratorLocked()).isEqualTo(1);

        provider.abandonActivity(lease.lockToken(), Duration.ZERO);
        provider.abandonOrchestrationItem(b.lockToken(), Duration.ZERO);
        assertThat(locked()).isEqualTo(NOTHING);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 1));
    }

    @Test
    public void instanceHeldBackByADelayedAbandonIsNeitherReadyNorLocked() {
        provider.createInstance(newInstance("a", "A"));
        provider.createInstance(newInstance("b", "B"));
        OrchestrationWorkItem a = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        assertThat(a.instanceId()).isEqualTo("a");
        provider.abandonOrchestrationItem(a.lockToken(), LONG_LOCK);
        provider.enqueueOrchestratorMessage(event("a", "late"), null);

        // Nobody holds a's work while its delay runs: it must not look like the work of a dead process.
        assertThat(locked()).isEqualTo(NOTHING);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0)); // b only: a is held back

        OrchestrationWorkItem b = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        assertThat(b.instanceId()).isEqualTo("b");
        assertThat(locked().orchestratorLocked()).isEqualTo(1);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void renewalRestartsTheAge() {
        scheduleActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        await("the lock to age", () -> locked().activityOldestLockAge().compareTo(AGING) >= 0);
        Duration beforeRenewal = locked().activityOldestLockAge();

        provider.renewActivityLock(lease.lockToken(), LONG_LOCK);
        assertThat(locked().activityOldestLockAge()).isLessThan(beforeRenewal);
        assertThat(locked().activityLocked()).isEqualTo(1);
    }

    @Test
    public void expiredLocksAreReadyWorkNotLockedWork() {
        scheduleActivities("a", 1);
        provider.createInstance(newInstance("b", "B"));
        provider.fetchActivity(EXPIRING_LOCK).orElseThrow();
        provider.fetchOrchestrationItem(EXPIRING_LOCK).orElseThrow();
        assertThat(locked().activityLocked()).isEqualTo(1);
        assertThat(locked().orchestratorLocked()).isEqualTo(1);

        // Once the provider itself calls the work ready again (its locks expired), it is no longer locked.
        await("the locks to expire", () -> provider.queueDepths().equals(new QueueDepths(1, 1)));
        assertThat(locked()).isEqualTo(NOTHING);
    }

    private void scheduleActivities(String instanceId, int count) {
        scenarios().startWithActivities(instanceId, count);
        assertThat(locked()).isEqualTo(NOTHING);
    }

    /**
     * The age grows with time, in the right unit: it passes {@link #AGING} more than its first reading, and
     * never runs ahead of the host's clock since before the fetch (the store's clock is this host's).
     */
    private static void assertAges(Supplier<Duration> age, long nanosBeforeFetch) {
        Duration first = age.get();
        await("the lock to age", () -> age.get().compareTo(first.plus(AGING)) >= 0);
        Duration read = age.get();
        Duration sinceFetch = Duration.ofNanos(System.nanoTime() - nanosBeforeFetch);
        assertThat(read).isLessThanOrEqualTo(sinceFetch.plus(CLOCK_GRANULARITY));
    }
}
