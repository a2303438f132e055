package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.SHORT_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.activityCompleted;
import static io.duroxide.provider.validation.ValidationSupport.await;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The worker queue: peek-lock of activity work items, completion deleting the item and enqueueing
 * its result atomically, redelivery after expiry or abandon, and a terminal turn removing the
 * instance's outstanding work so that late completions fail.
 */
public abstract class ActivityQueueValidation extends ProviderValidation {

    @Test
    public void activityPeekLockAndCompletion() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .events(new HistoryEvent.ActivityScheduled(now(), 1, "Act", "\"x\"", null, 0, 1, 0))
                .activity(workItem("a", 1, 1)).build());
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 1));
        assertThat(provider.countActiveInstances()).containsExactly(new ActiveInstanceCount("Orch", "running", 1));

        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(lease.item()).isEqualTo(workItem("a", 1, 1));
        assertThat(lease.deliveryCount()).isEqualTo(1);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        provider.renewActivityLock(lease.lockToken(), LONG_LOCK);

        provider.completeActivity(lease.lockToken(), new OrchestratorMessage("a", 1L, activityCompleted(1, "42")));
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
        assertThatThrownBy(() -> provider.completeActivity(lease.lockToken(),
                        new OrchestratorMessage("a", 1L, activityCompleted(1, "again"))))
                .isInstanceOf(LockLostException.class);

        OrchestrationWorkItem completion = fetch();
        assertThat(completion.messages()).hasSize(1);
        assertThat(completion.messages().get(0).event()).isInstanceOfSatisfying(HistoryEvent.ActivityCompleted.class,
                e -> assertThat(e.result()).isEqualTo("42"));
        assertThat(completion.messages().get(0).executionId()).isEqualTo(1L);
    }

    @Test
    public void workItemsAreFetchedOldestFirstWithDistinctLocks() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 1)).activity(workItem("a", 1, 2)).activity(workItem("a", 1, 3)).build());
        ActivityLease one = provider.fetchActivity(LONG_LOCK).orElseThrow();
        ActivityLease two = provider.fetchActivity(LONG_LOCK).orElseThrow();
        ActivityLease three = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(List.of(one.item().taskId(), two.item().taskId(), three.item().taskId())).containsExactly(1, 2, 3);
        assertThat(List.of(one.lockToken(), two.lockToken(), three.lockToken())).doesNotHaveDuplicates();
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();

        // Completing one leaves the others locked.
        provider.completeActivity(two.lockToken(), new OrchestratorMessage("a", 1L, activityCompleted(2, "2")));
        provider.renewActivityLock(one.lockToken(), LONG_LOCK);
        provider.renewActivityLock(three.lockToken(), LONG_LOCK);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
        OrchestrationWorkItem completion = fetch();
        assertThat(completion.messages()).extracting(m -> ((HistoryEvent.ActivityCompleted) m.event()).taskId())
                .containsExactly(2);
    }

    /**
     * Leaves instance {@code a} (created first) and {@code b} each with one queued work item, b's queued first; each
     * instance backdated by its age (if not zero) before its work is queued.
     */
    private void queueWorkOfANewerInstanceFirst(Duration ageOfA, Duration ageOfB) {
        startAndRunFirstTurn("a");
        awaitClockPastCreationOf("a");
        provider.createInstance(newInstance("b", "Orch"));
        if (!ageOfA.isZero() || !ageOfB.isZero()) {
            backdateCreation("a", ageOfA);
            backdateCreation("b", ageOfB);
        }
        OrchestrationWorkItem b = fetch();
        provider.commitTurn(b.lockToken(), Turn.of(1).events(b.messages().get(0).event()).activity(workItem("b", 1, 1)).build());
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem a = fetch();
        provider.commitTurn(a.lockToken(), Turn.consuming(a).activity(workItem("a", 1, 1)).build());
    }

    /** Under a backlog, the activities of an instance that has started run before a newer instance's. */
    @Test
    public void aWorkItemOfAnOlderInstanceIsLeasedBeforeANewerInstancesQueuedEarlier() {
        queueWorkOfANewerInstanceFirst(Duration.ZERO, Duration.ZERO);
        assertThat(provider.fetchActivity(LONG_LOCK).orElseThrow().item().instanceId()).isEqualTo("a");
        assertThat(provider.fetchActivity(LONG_LOCK).orElseThrow().item().instanceId()).isEqualTo("b");
    }

    /** Seniority is capped by the window, as for messages: past it, enqueue order decides. */
    @Test
    public void pastTheSeniorityWindowWorkItemsAreLeasedInEnqueueOrder() {
        queueWorkOfANewerInstanceFirst(Duration.ofMinutes(20), Duration.ofMinutes(10));
        assertThat(provider.fetchActivities(LONG_LOCK, 1)).extracting(l -> l.item().instanceId()).containsExactly("b");
        assertThat(provider.fetchActivities(LONG_LOCK, 1)).extracting(l -> l.item().instanceId()).containsExactly("a");
    }

    @Test
    public void batchFetchTakesAtMostMaxOldestFirstAndBatchCompletionReportsLostLocks() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 1)).activity(workItem("a", 1, 2)).activity(workItem("a", 1, 3)).build());

        List<ActivityLease> firstTwo = provider.fetchActivities(LONG_LOCK, 2);
        assertThat(firstTwo).extracting(l -> l.item().taskId()).containsExactly(1, 2);
        assertThat(firstTwo).extracting(ActivityLease::deliveryCount).containsOnly(1);
        List<ActivityLease> rest = provider.fetchActivities(LONG_LOCK, 5);
        assertThat(rest).extracting(l -> l.item().taskId()).containsExactly(3);
        assertThat(provider.fetchActivities(LONG_LOCK, 5)).isEmpty();
        assertThat(List.of(firstTwo.get(0).lockToken(), firstTwo.get(1).lockToken(), rest.get(0).lockToken()))
                .doesNotHaveDuplicates();

        // Task 2 is completed on its own first, so its token is dead when the batch comes.
        provider.completeActivity(firstTwo.get(1).lockToken(), new OrchestratorMessage("a", 1L, activityCompleted(2, "2")));
        Set<String> lost = provider.completeActivities(List.of(
                new ActivityCompletion(firstTwo.get(0).lockToken(), new OrchestratorMessage("a", 1L, activityCompleted(1, "1"))),
                new ActivityCompletion(firstTwo.get(1).lockToken(), new OrchestratorMessage("a", 1L, activityCompleted(2, "twice"))),
                new ActivityCompletion(rest.get(0).lockToken(), new OrchestratorMessage("a", 1L, activityCompleted(3, "3")))));
        assertThat(lost).containsExactly(firstTwo.get(1).lockToken());
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(3, 0));
        OrchestrationWorkItem completions = fetch();
        assertThat(completions.messages()).extracting(m -> ((HistoryEvent.ActivityCompleted) m.event()).result())
                .containsExactlyInAnyOrder("1", "2", "3");
    }

    @Test
    public void expiredActivityLockIsRedeliveredAndTheOldTokenIsDead() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 1)).build());

        ActivityLease first = provider.fetchActivity(SHORT_LOCK).orElseThrow();
        ActivityLease second = awaitPresent("the activity lock to expire", () -> provider.fetchActivity(LONG_LOCK));
        assertThat(second.deliveryCount()).isEqualTo(2);
        assertThat(second.lockToken()).isNotEqualTo(first.lockToken());
        assertThatThrownBy(() -> provider.renewActivityLock(first.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.completeActivity(first.lockToken(),
                        new OrchestratorMessage("a", 1L, activityCompleted(1, "stale"))))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.abandonActivity(first.lockToken(), null))
                .isInstanceOf(LockLostException.class);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();

        long abandonedAt = now();
        provider.abandonActivity(second.lockToken(), Duration.ofMillis(300));
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        ActivityLease third = awaitPresent("the abandon delay", () -> provider.fetchActivity(LONG_LOCK));
        assertThat(now()).isGreaterThanOrEqualTo(abandonedAt + 300);
        assertThat(third.deliveryCount()).isEqualTo(3);
        assertThat(third.item()).isEqualTo(workItem("a", 1, 1));
    }

    @Test
    public void terminalTurnRemovesActivityWorkAndLateCompletionsFail() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 1)).activity(workItem("a", 1, 2)).build());
        ActivityLease running = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(running.item().taskId()).isEqualTo(1);
        assertThat(provider.queueDepths().activityReady()).isEqualTo(1);

        provider.enqueueOrchestratorMessage(new OrchestratorMessage("a", null,
                new HistoryEvent.ExecutionCancelRequested(now(), "stop")), null);
        OrchestrationWorkItem cancel = fetch();
        provider.commitTurn(cancel.lockToken(), Turn.of(1).events(cancel.messages().get(0).event()).completed("0")
                .activity(workItem("a", 1, 3)).build());

        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThatThrownBy(() -> provider.renewActivityLock(running.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.completeActivity(running.lockToken(),
                        new OrchestratorMessage("a", 1L, activityCompleted(1, "late"))))
                .isInstanceOf(LockLostException.class);
        // The failed completion enqueued nothing.
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.getInstance("a").orElseThrow().output()).isEqualTo("0");
        assertThat(provider.readHistory("a", 1)).hasSize(3);
    }

    /** Worker threads (on two providers when supported) lease and complete every work item exactly once. */
    @Test
    public void concurrentWorkersCompleteEachWorkItemOnce() throws InterruptedException {
        int items = 60;
        List<Provider> providers = new ArrayList<>(List.of(provider));
        openSecond().ifPresent(providers::add);
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem start = fetch();
        Turn turn = Turn.of(1).events(start.messages().get(0).event());
        for (int task = 1; task <= items; task++) {
            turn.activity(workItem("a", 1, task));
        }
        provider.commitTurn(start.lockToken(), turn.build());

        Set<Integer> completed = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Provider p = providers.get(t % providers.size());
            threads.add(new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Optional<ActivityLease> lease = p.fetchActivity(LONG_LOCK);
                        if (lease.isEmpty()) {
                            LockSupport.parkNanos(200_000);
                            continue;
                        }
                        int task = lease.get().item().taskId();
                        if (!completed.add(task) || lease.get().deliveryCount() != 1) {
                            duplicates.incrementAndGet();
                        }
                        p.completeActivity(lease.get().lockToken(),
                                new OrchestratorMessage("a", 1L, activityCompleted(task, String.valueOf(task))));
                        done.incrementAndGet();
                    } catch (Throwable e) {
                        errors.add(e);
                        stop.set(true);
                    }
                }
            }, "worker-" + t));
        }
        threads.forEach(Thread::start);
        try {
            await("all work items to be completed", () -> stop.get() || done.get() >= items);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        assertThat(errors).isEmpty();
        assertThat(duplicates.get()).isZero();
        assertThat(completed).hasSize(items);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(items, 0)); // one completion message each
        OrchestrationWorkItem results = fetch();
        assertThat(results.messages()).hasSize(items);
        assertThat(results.messages()).extracting(m -> ((HistoryEvent.ActivityCompleted) m.event()).taskId())
                .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, items).boxed().toList());
    }
}
