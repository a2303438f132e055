package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.SHORT_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.await;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.checkBefore;
import static io.duroxide.provider.validation.ValidationSupport.completion;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Lock expiry and renewal at their edges: a lock holds for its whole timeout and not longer, a renewal
 * sets a new expiry counted from the renewal, a token is dead once its lock was committed, abandoned or
 * taken over, and a dead token can neither extend nor release the lock of whoever holds it now.
 */
public abstract class LockExpiryValidation extends ProviderValidation {
    /** Long enough that a loaded machine still looks again inside it, short enough for a test. */
    private static final Duration EXPIRING = Duration.ofSeconds(1);

    @Test
    public void anInstanceLockHoldsForItsWholeTimeoutThenFreesTheInstance() {
        provider.createInstance(newInstance("a", "Orch"));
        long fetchedAt = now();
        provider.fetchOrchestrationItem(EXPIRING).orElseThrow();
        checkBefore(fetchedAt + EXPIRING.toMillis(), () -> assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
        OrchestrationWorkItem again = awaitPresent("the lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now() - fetchedAt).isGreaterThanOrEqualTo(EXPIRING.toMillis());
        assertThat(again.instanceId()).isEqualTo("a");
    }

    @Test
    public void anActivityLeaseHoldsForItsWholeTimeoutThenFreesTheItem() {
        scenarios().startWithActivities("a", 1);
        long fetchedAt = now();
        provider.fetchActivity(EXPIRING).orElseThrow();
        checkBefore(fetchedAt + EXPIRING.toMillis(), () -> assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty());
        ActivityLease again = awaitPresent("the lease to expire", () -> provider.fetchActivity(LONG_LOCK));
        assertThat(now() - fetchedAt).isGreaterThanOrEqualTo(EXPIRING.toMillis());
        assertThat(again.item().taskId()).isEqualTo(1);
    }

    @Test
    public void anInstanceLockRenewalCountsItsTimeoutFromTheRenewal() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        long renewedAt = now();
        provider.renewOrchestrationLock(item.lockToken(), EXPIRING);
        checkBefore(renewedAt + EXPIRING.toMillis(), () -> assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
        awaitPresent("the renewed lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now() - renewedAt).isGreaterThanOrEqualTo(EXPIRING.toMillis());
    }

    @Test
    public void anActivityLeaseRenewalCountsItsTimeoutFromTheRenewal() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        long renewedAt = now();
        provider.renewActivityLock(lease.lockToken(), EXPIRING);
        checkBefore(renewedAt + EXPIRING.toMillis(), () -> assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty());
        awaitPresent("the renewed lease to expire", () -> provider.fetchActivity(LONG_LOCK));
        assertThat(now() - renewedAt).isGreaterThanOrEqualTo(EXPIRING.toMillis());
    }

    /** A holder that keeps renewing keeps the instance for many times the timeout, and its commit still counts. */
    @Test
    public void repeatedRenewalsKeepAnInstanceLockPastManyTimeouts() {
        Provider other = openSecond().orElse(provider);
        provider.createInstance(newInstance("a", "Orch"));
        Duration lock = Duration.ofSeconds(1);
        OrchestrationWorkItem item = provider.fetchOrchestrationItem(lock).orElseThrow();
        long until = now() + 5 * lock.toMillis() / 2;
        while (now() < until) {
            long renewedAt = now();
            provider.renewOrchestrationLock(item.lockToken(), lock);
            checkBefore(renewedAt + lock.toMillis(), () -> assertThat(other.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
        }
        provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(other.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void repeatedRenewalsKeepAnActivityLeasePastManyTimeouts() {
        Provider other = openSecond().orElse(provider);
        scenarios().startWithActivities("a", 1);
        Duration lock = Duration.ofSeconds(1);
        ActivityLease lease = provider.fetchActivity(lock).orElseThrow();
        long until = now() + 5 * lock.toMillis() / 2;
        while (now() < until) {
            long renewedAt = now();
            provider.renewActivityLock(lease.lockToken(), lock);
            checkBefore(renewedAt + lock.toMillis(), () -> assertThat(other.fetchActivity(LONG_LOCK)).isEmpty());
        }
        provider.completeActivity(lease.lockToken(), completion("a", 1, "1"));
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
    }

    @Test
    public void anExpiredButUntakenActivityLeaseCanStillBeRenewedAndCompleted() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(Duration.ofMillis(1)).orElseThrow();
        await("the lease to expire", () -> provider.queueDepths().activityReady() == 1);
        provider.renewActivityLock(lease.lockToken(), LONG_LOCK);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        provider.completeActivity(lease.lockToken(), completion("a", 1, "1"));
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
    }

    @Test
    public void oneInstancesLockExpiringFreesOnlyThatInstance() {
        provider.createInstance(newInstance("short", "Orch"));
        provider.createInstance(newInstance("long", "Orch"));
        assertThat(provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow().instanceId()).isEqualTo("short");
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow().instanceId()).isEqualTo("long");
        OrchestrationWorkItem again = awaitPresent("the short lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(again.instanceId()).isEqualTo("short");
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    /** The process holding the lock dies: another process takes the instance over once the lock expires. */
    @Test
    public void anExpiredLockIsTakenOverByAnotherProcess() {
        Provider other = second();
        scenarios().startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        long fetchedAt = now();
        provider.fetchOrchestrationItem(EXPIRING).orElseThrow();
        checkBefore(fetchedAt + EXPIRING.toMillis(), () -> assertThat(other.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
        OrchestrationWorkItem taken = awaitPresent("the lock to expire", () -> other.fetchOrchestrationItem(LONG_LOCK));
        assertThat(taken.messages()).extracting(ValidationSupport::eventName).containsExactly("e1");
        assertThat(taken.history()).hasSize(1);
        other.commitTurn(taken.lockToken(), Turn.consuming(taken).build());
        assertThat(provider.readHistory("a", 1)).hasSize(2);
    }

    @Test
    public void aStaleTokensRenewalDoesNotExtendTheNewHoldersLock() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem stale = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        awaitPresent("the lock to expire", () -> provider.fetchOrchestrationItem(EXPIRING));
        assertThatThrownBy(() -> provider.renewOrchestrationLock(stale.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        // The new holder's short lock still expires as it was set.
        OrchestrationWorkItem third = awaitPresent("the new lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(third.attemptCount()).isEqualTo(3);
    }

    @Test
    public void aStaleTokensAbandonDoesNotReleaseTheNewHoldersLock() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem stale = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        OrchestrationWorkItem holder = awaitPresent("the lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThatThrownBy(() -> provider.abandonOrchestrationItem(stale.lockToken(), null))
                .isInstanceOf(LockLostException.class);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths().orchestratorReady()).isZero();
        provider.commitTurn(holder.lockToken(), Turn.consuming(holder).build());
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    @Test
    public void aStaleActivityTokensRenewalDoesNotExtendTheNewHoldersLease() {
        scenarios().startWithActivities("a", 1);
        ActivityLease stale = provider.fetchActivity(SHORT_LOCK).orElseThrow();
        awaitPresent("the lease to expire", () -> provider.fetchActivity(EXPIRING));
        assertThatThrownBy(() -> provider.renewActivityLock(stale.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        ActivityLease third = awaitPresent("the new lease to expire", () -> provider.fetchActivity(LONG_LOCK));
        assertThat(third.deliveryCount()).isEqualTo(3);
    }

    @Test
    public void aCommittedTokenCannotRenewAbandonOrCommitAgain() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
        provider.enqueueOrchestratorMessage(event("a", "next"), null);

        assertThatThrownBy(() -> provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.abandonOrchestrationItem(item.lockToken(), null))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.of(1).events(event("a", "x").event()).build()))
                .isInstanceOf(LockLostException.class);
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(fetch().messages()).extracting(ValidationSupport::eventName).containsExactly("next");
    }

    @Test
    public void anAbandonedTokenCannotRenewOrCommit() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.abandonOrchestrationItem(item.lockToken(), null);
        assertThatThrownBy(() -> provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.consuming(item).build()))
                .isInstanceOf(LockLostException.class);
        assertThat(provider.readHistory("a", 1)).isEmpty();
        assertThat(provider.queueDepths().orchestratorReady()).isEqualTo(1);
    }

    @Test
    public void aCompletedLeaseCannotRenewAbandonOrCompleteAgain() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        provider.completeActivity(lease.lockToken(), completion("a", 1, "1"));
        assertThatThrownBy(() -> provider.renewActivityLock(lease.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.abandonActivity(lease.lockToken(), null))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.completeActivity(lease.lockToken(), completion("a", 1, "2")))
                .isInstanceOf(LockLostException.class);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
    }

    @Test
    public void anAbandonedLeaseCannotBeRenewedOrCompleted() {
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        provider.abandonActivity(lease.lockToken(), null);
        assertThatThrownBy(() -> provider.renewActivityLock(lease.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.completeActivity(lease.lockToken(), completion("a", 1, "1")))
                .isInstanceOf(LockLostException.class);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 1));
        assertThat(provider.fetchActivity(LONG_LOCK).orElseThrow().deliveryCount()).isEqualTo(2);
    }
}
