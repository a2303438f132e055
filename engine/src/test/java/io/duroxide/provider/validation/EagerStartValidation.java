package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.checkBefore;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.eventName;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code createInstanceLocked}: a start stored with its instance already locked for the caller, whose first turn
 * then needs no fetch. The item is the one a fetch would return, its lock is a fetched lock in every way (commit,
 * renew, abandon, expiry), and nobody else sees the start while it is held. A provider may decline (the default
 * stores the start unlocked and returns empty); the start must then be fetchable as any other.
 */
public abstract class EagerStartValidation extends ProviderValidation {
    /** Long enough that a loaded machine still looks again inside it, short enough for a test. */
    private static final Duration EXPIRING = Duration.ofSeconds(1);

    /** Starts {@code id} locked; the test is skipped when the provider declines to lock starts. */
    private OrchestrationWorkItem startLocked(String id, Duration lockTimeout) {
        Optional<OrchestrationWorkItem> item = provider.createInstanceLocked(newInstance(id, "Orch"), lockTimeout);
        Assumptions.assumeTrue(item.isPresent(), provider.name() + " does not lock starts (the default)");
        return item.get();
    }

    @Test
    public void aStartThatIsNotLockedIsFetchedLikeAnyOther() {
        Optional<OrchestrationWorkItem> item = provider.createInstanceLocked(newInstance("a", "Orch"), LONG_LOCK);
        if (item.isEmpty()) {
            OrchestrationWorkItem fetched = fetch();
            assertThat(fetched.instanceId()).isEqualTo("a");
            assertThat(types(fetched.messages().stream().map(m -> m.event()).toList()))
                    .containsExactly(HistoryEvent.ExecutionStarted.class);
        } else {
            assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        }
    }

    @Test
    public void aLockedStartIsTheItemAFetchWouldReturn() {
        OrchestrationWorkItem item = startLocked("a", LONG_LOCK);

        assertThat(item.instanceId()).isEqualTo("a");
        assertThat(item.lockToken()).isNotBlank();
        assertThat(item.history()).isEmpty();
        assertThat(item.execution().executionId()).isEqualTo(1);
        assertThat(item.instance().status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(item.instance().name()).isEqualTo("Orch");
        assertThat(item.messages()).singleElement().satisfies(m -> {
            assertThat(m.event()).isInstanceOfSatisfying(HistoryEvent.ExecutionStarted.class,
                    started -> assertThat(started.name()).isEqualTo("Orch"));
            assertThat(m.executionId()).isEqualTo(1L);
        });
        assertThat(item.attemptCount()).as("the start message is delivered once").isEqualTo(1);
        assertThat(provider.getInstance("a")).get().extracting(s -> s.status()).isEqualTo(RuntimeStatus.PENDING);
    }

    @Test
    public void nobodyFetchesALockedStartWhileItsLockHolds() {
        startLocked("a", LONG_LOCK);
        provider.createInstance(newInstance("b", "Orch"));

        assertThat(fetch().instanceId()).isEqualTo("b");
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        openSecond().ifPresent(other -> assertThat(other.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
    }

    @Test
    public void aLockedStartCommitsItsFirstTurnWithItsToken() {
        OrchestrationWorkItem item = startLocked("a", LONG_LOCK);

        provider.commitTurn(item.lockToken(), Turn.consuming(item).version("Orch", "1.0").build());

        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(types(provider.readHistory("a", 1))).containsExactly(HistoryEvent.ExecutionStarted.class);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).as("the start message was consumed").isEmpty();
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.of(1).build()))
                .as("a token commits once").isInstanceOf(LockLostException.class);
    }

    @Test
    public void aLockedStartRenewsLikeAFetchedLock() {
        OrchestrationWorkItem item = startLocked("a", EXPIRING);
        long renewedAt = now();
        provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK);

        checkBefore(renewedAt + 2 * EXPIRING.toMillis(), () -> assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
        provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
        assertThat(types(provider.readHistory("a", 1))).containsExactly(HistoryEvent.ExecutionStarted.class);
    }

    @Test
    public void anAbandonedLockedStartIsDeliveredAgainCountedTwice() {
        OrchestrationWorkItem item = startLocked("a", LONG_LOCK);

        provider.abandonOrchestrationItem(item.lockToken(), Duration.ZERO);

        OrchestrationWorkItem again = fetch();
        assertThat(again.instanceId()).isEqualTo("a");
        assertThat(again.attemptCount()).isEqualTo(2);
        assertThat(again.messages()).singleElement()
                .satisfies(m -> assertThat(m.event()).isInstanceOf(HistoryEvent.ExecutionStarted.class));
    }

    /** The caller died before its first turn: the start is anyone's once the lock expires, and only then. */
    @Test
    public void aLockedStartWhoseHolderDiedIsFetchedWhenItsLockExpires() {
        long lockedAt = now();
        OrchestrationWorkItem item = startLocked("a", EXPIRING);
        Provider survivor = openSecond().orElse(provider);

        checkBefore(lockedAt + EXPIRING.toMillis(), () -> assertThat(survivor.fetchOrchestrationItem(LONG_LOCK)).isEmpty());
        OrchestrationWorkItem again = awaitPresent("the start's lock to expire", () -> survivor.fetchOrchestrationItem(LONG_LOCK));

        assertThat(now() - lockedAt).isGreaterThanOrEqualTo(EXPIRING.toMillis());
        assertThat(again.instanceId()).isEqualTo("a");
        assertThat(again.attemptCount()).isEqualTo(2);
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.consuming(item).build()))
                .as("the dead holder's token").isInstanceOf(LockLostException.class);
        survivor.commitTurn(again.lockToken(), Turn.consuming(again).build());
        assertThat(types(survivor.readHistory("a", 1))).containsExactly(HistoryEvent.ExecutionStarted.class);
    }

    @Test
    public void aLockedStartOfAnIdThatExistsIsRefusedAndTakesNoLock() {
        provider.createInstance(newInstance("a", "Orch"));

        assertThatThrownBy(() -> provider.createInstanceLocked(newInstance("a", "Other"), LONG_LOCK))
                .isInstanceOf(InstanceAlreadyExistsException.class)
                .hasMessageContaining("PENDING");

        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo("a");
        assertThat(item.instance().name()).isEqualTo("Orch");
        assertThat(item.attemptCount()).as("the refused start delivered nothing").isEqualTo(1);
    }

    @Test
    public void aMessageSentToALockedStartWaitsForItsNextTurn() {
        OrchestrationWorkItem item = startLocked("a", LONG_LOCK);
        provider.enqueueOrchestratorMessage(event("a", "early"), null);

        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        provider.commitTurn(item.lockToken(), Turn.consuming(item).build());

        OrchestrationWorkItem next = fetch();
        assertThat(next.instanceId()).isEqualTo("a");
        assertThat(next.messages()).extracting(m -> eventName(m)).containsExactly("early");
        assertThat(types(next.history())).isEqualTo(List.of(HistoryEvent.ExecutionStarted.class));
    }
}
