package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.activityCompleted;
import static io.duroxide.provider.validation.ValidationSupport.SHORT_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Delivery counts, the basis of poison detection: every fetch of a message or work item counts,
 * whether it ended in an abandon or an expired lock; a batch reports the highest count of its
 * messages; consumed messages never count again.
 */
public abstract class DeliveryCountValidation extends ProviderValidation {

    @Test
    public void attemptCountGrowsOnEveryFetch() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem first = fetch();
        assertThat(first.attemptCount()).isEqualTo(1);
        provider.abandonOrchestrationItem(first.lockToken(), null);

        OrchestrationWorkItem second = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        assertThat(second.attemptCount()).isEqualTo(2);
        provider.enqueueOrchestratorMessage(event("a", "new"), null);

        // Lock expiry counts too; the batch reports the highest count.
        OrchestrationWorkItem third = awaitPresent("the lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(third.attemptCount()).isEqualTo(3);
        assertThat(third.messages()).hasSize(2);
        assertThatThrownBy(() -> provider.abandonOrchestrationItem(second.lockToken(), null))
                .isInstanceOf(LockLostException.class);
        provider.commitTurn(third.lockToken(), Turn.of(1).events(third.messages().get(0).event()).build());
        provider.enqueueOrchestratorMessage(event("a", "fresh"), null);
        OrchestrationWorkItem fourth = fetch();
        assertThat(fourth.attemptCount()).isEqualTo(1);
        assertThat(fourth.messages()).extracting(ValidationSupport::eventName).containsExactly("fresh");
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    @Test
    public void batchReportsTheHighestCountOfItsMessages() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "old"), null);
        for (int i = 1; i <= 4; i++) {
            OrchestrationWorkItem item = fetch();
            assertThat(item.attemptCount()).isEqualTo(i);
            provider.abandonOrchestrationItem(item.lockToken(), null);
        }
        provider.enqueueOrchestratorMessage(event("a", "new"), null);
        OrchestrationWorkItem batch = fetch();
        assertThat(batch.messages()).extracting(ValidationSupport::eventName).containsExactly("old", "new");
        assertThat(batch.attemptCount()).isEqualTo(5);
        // Committing only consumes: the instance is usable afterwards and counts start over.
        provider.commitTurn(batch.lockToken(), Turn.of(1).events(batch.messages().get(0).event(),
                batch.messages().get(1).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(3);
        provider.enqueueOrchestratorMessage(event("a", "later"), null);
        assertThat(fetch().attemptCount()).isEqualTo(1);
    }

    /** A batch counts each instance's delivery once, by its own messages: no count leaks to another instance. */
    @Test
    public void aBatchFetchCountsEachInstancesDeliveryOnce() {
        provider.createInstance(newInstance("a", "Orch"));
        provider.abandonOrchestrationItem(fetch().lockToken(), null);
        provider.abandonOrchestrationItem(fetch().lockToken(), null);
        provider.createInstance(newInstance("b", "Orch"));
        provider.enqueueOrchestratorMessage(event("b", "e1"), null);
        provider.enqueueOrchestratorMessage(event("b", "e2"), null);

        List<OrchestrationWorkItem> first = provider.fetchOrchestrationItems(LONG_LOCK, 5);
        assertThat(first).extracting(OrchestrationWorkItem::instanceId).containsExactly("a", "b");
        assertThat(first).extracting(OrchestrationWorkItem::attemptCount).containsExactly(3, 1);
        first.forEach(item -> provider.abandonOrchestrationItem(item.lockToken(), null));
        provider.enqueueOrchestratorMessage(event("b", "fresh"), null);

        List<OrchestrationWorkItem> second = provider.fetchOrchestrationItems(LONG_LOCK, 5);
        assertThat(second).extracting(OrchestrationWorkItem::attemptCount).containsExactly(4, 2);
        assertThat(second.get(1).messages()).hasSize(4);
    }

    @Test
    public void activityDeliveryCountGrowsOnAbandonAndExpiry() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 1)).build());

        ActivityLease first = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(first.deliveryCount()).isEqualTo(1);
        provider.abandonActivity(first.lockToken(), null);
        ActivityLease second = provider.fetchActivity(SHORT_LOCK).orElseThrow();
        assertThat(second.deliveryCount()).isEqualTo(2);
        ActivityLease third = awaitPresent("the activity lock to expire", () -> provider.fetchActivity(LONG_LOCK));
        assertThat(third.deliveryCount()).isEqualTo(3);
        assertThat(third.item()).isEqualTo(workItem("a", 1, 1));
        provider.completeActivity(third.lockToken(), new OrchestratorMessage("a", 1L,
                activityCompleted(1, "\"done\"")));
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths().activityReady()).isZero();
    }
}
