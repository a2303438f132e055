package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.SHORT_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.completion;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Delivery counts as poison detection needs them: stored with the work, not in the memory of one provider,
 * so they survive a restart and grow across processes; grown by fetches only (not by renewals); kept per
 * instance and per work item; and a message delivered many times can still be consumed, so the runtime
 * can end a poisoned instance.
 */
public abstract class PoisonValidation extends ProviderValidation {
    private static final int POISON_DELIVERIES = 11;

    @Test
    public void anInstancesAttemptCountSurvivesARestart() {
        provider.createInstance(newInstance("a", "Orch"));
        for (int i = 1; i <= 3; i++) {
            provider.abandonOrchestrationItem(fetch().lockToken(), null);
        }
        Provider restarted = restart();
        assertThat(restarted.fetchOrchestrationItem(LONG_LOCK).orElseThrow().attemptCount()).isEqualTo(4);
    }

    /** A process dies holding the lock: the delivery it never finished still counts after the restart. */
    @Test
    public void aDeliveryCutShortByACrashStillCounts() {
        provider.createInstance(newInstance("a", "Orch"));
        provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        Provider restarted = restart();
        OrchestrationWorkItem item = awaitPresent("the dead holder's lock to expire",
                () -> restarted.fetchOrchestrationItem(LONG_LOCK));
        assertThat(item.attemptCount()).isEqualTo(2);
    }

    @Test
    public void anActivityDeliveryCountSurvivesARestart() {
        scenarios().startWithActivities("a", 1);
        for (int i = 1; i <= 3; i++) {
            provider.abandonActivity(provider.fetchActivity(LONG_LOCK).orElseThrow().lockToken(), null);
        }
        provider.fetchActivity(SHORT_LOCK).orElseThrow();
        Provider restarted = restart();
        ActivityLease lease = awaitPresent("the dead worker's lease to expire", () -> restarted.fetchActivity(LONG_LOCK));
        assertThat(lease.deliveryCount()).isEqualTo(5);
    }

    @Test
    public void attemptCountsGrowAcrossProcessesTakingTurns() {
        Provider other = second();
        provider.createInstance(newInstance("a", "Orch"));
        List<Provider> alternating = List.of(provider, other, provider, other);
        for (int i = 0; i < alternating.size(); i++) {
            OrchestrationWorkItem item = alternating.get(i).fetchOrchestrationItem(LONG_LOCK).orElseThrow();
            assertThat(item.attemptCount()).isEqualTo(i + 1);
            alternating.get(i).abandonOrchestrationItem(item.lockToken(), null);
        }
    }

    @Test
    public void activityDeliveryCountsGrowAcrossProcessesTakingTurns() {
        Provider other = second();
        scenarios().startWithActivities("a", 1);
        List<Provider> alternating = List.of(provider, other, provider, other);
        for (int i = 0; i < alternating.size(); i++) {
            ActivityLease lease = alternating.get(i).fetchActivity(LONG_LOCK).orElseThrow();
            assertThat(lease.deliveryCount()).isEqualTo(i + 1);
            alternating.get(i).abandonActivity(lease.lockToken(), null);
        }
    }

    @Test
    public void renewingAnInstanceLockIsNotADelivery() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        for (int i = 0; i < 3; i++) {
            provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK);
        }
        provider.abandonOrchestrationItem(item.lockToken(), null);
        assertThat(fetch().attemptCount()).isEqualTo(2);
    }

    @Test
    public void renewingAnActivityLeaseIsNotADelivery() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        for (int i = 0; i < 3; i++) {
            provider.renewActivityLock(lease.lockToken(), LONG_LOCK);
        }
        provider.abandonActivity(lease.lockToken(), null);
        assertThat(provider.fetchActivity(LONG_LOCK).orElseThrow().deliveryCount()).isEqualTo(2);
    }

    @Test
    public void attemptCountsOfOneInstanceDoNotCarryOverToAnother() {
        provider.createInstance(newInstance("poisoned", "Orch"));
        for (int i = 0; i < 3; i++) {
            provider.abandonOrchestrationItem(fetch().lockToken(), null);
        }
        provider.createInstance(newInstance("healthy", "Orch"));
        OrchestrationWorkItem poisoned = fetch();
        OrchestrationWorkItem healthy = fetch();
        assertThat(poisoned.instanceId()).isEqualTo("poisoned");
        assertThat(poisoned.attemptCount()).isEqualTo(4);
        assertThat(healthy.instanceId()).isEqualTo("healthy");
        assertThat(healthy.attemptCount()).isEqualTo(1);
    }

    @Test
    public void deliveryCountsOfOneWorkItemDoNotCarryOverToAnother() {
        scenarios().startWithActivities("a", 2);
        for (int i = 0; i < 3; i++) {
            ActivityLease first = provider.fetchActivity(LONG_LOCK).orElseThrow();
            assertThat(first.item().taskId()).isEqualTo(1);
            provider.abandonActivity(first.lockToken(), null);
        }
        List<ActivityLease> both = provider.fetchActivities(LONG_LOCK, 2);
        assertThat(both).extracting(l -> l.item().taskId()).containsExactly(1, 2);
        assertThat(both).extracting(ActivityLease::deliveryCount).containsExactly(4, 1);
    }

    /** The runtime ends a poisoned instance with a failing turn, which must consume the poison message. */
    @Test
    public void aMessageDeliveredManyTimesIsConsumedByATerminalCommit() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        for (int i = 1; i < POISON_DELIVERIES; i++) {
            provider.abandonOrchestrationItem(item.lockToken(), null);
            item = fetch();
        }
        assertThat(item.attemptCount()).isEqualTo(POISON_DELIVERIES);
        FailureDetails poison = FailureDetails.of(FailureKind.POISON, "Poison", "delivered too often", false);
        provider.commitTurn(item.lockToken(), Turn.consuming(item).failed(poison).build());
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(provider.getInstance("a").orElseThrow().failure()).isEqualTo(poison);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void aWorkItemDeliveredManyTimesCanBeCompletedWithAFailure() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        for (int i = 1; i < POISON_DELIVERIES; i++) {
            provider.abandonActivity(lease.lockToken(), null);
            lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        }
        assertThat(lease.deliveryCount()).isEqualTo(POISON_DELIVERIES);
        FailureDetails poison = FailureDetails.of(FailureKind.POISON, "Poison", "delivered too often", false);
        provider.completeActivity(lease.lockToken(), new OrchestratorMessage("a", 1L,
                new HistoryEvent.ActivityFailed(now(), 1, poison)));
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        OrchestrationWorkItem failed = fetch();
        assertThat(failed.messages().get(0).event()).isInstanceOfSatisfying(HistoryEvent.ActivityFailed.class,
                e -> assertThat(e.failure()).isEqualTo(poison));
        assertThat(failed.attemptCount()).isEqualTo(1);
    }

    @Test
    public void aCompletionIsANewMessageCountedFromOne() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        provider.abandonActivity(lease.lockToken(), null);
        lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        provider.completeActivity(lease.lockToken(), completion("a", 1, "1"));
        assertThat(fetch().attemptCount()).isEqualTo(1);
    }
}
