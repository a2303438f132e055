package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.SHORT_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.await;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The instance lock: one holder at a time (also under multi-threaded, multi-provider contention),
 * expiry and takeover, renewal, and a commit with a lost lock failing without a trace.
 */
public abstract class InstanceLockingValidation extends ProviderValidation {
    private static final int CONTENTION_INSTANCES = 20;
    private static final int CONTENTION_EVENTS = 10;
    private static final int CONTENTION_THREADS = 6;
    /** What the threads that fetch batches ask for (the others fetch one instance at a time). */
    private static final int CONTENTION_BATCH = 3;

    @Test
    public void otherInstancesAreFetchedWhileOneIsLocked() {
        provider.createInstance(newInstance("a", "Orch"));
        provider.createInstance(newInstance("b", "Orch"));
        OrchestrationWorkItem a = fetch();
        OrchestrationWorkItem b = fetch();
        assertThat(List.of(a.instanceId(), b.instanceId())).containsExactly("a", "b");
        assertThat(a.lockToken()).isNotEqualTo(b.lockToken());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
    }

    @Test
    public void batchFetchLocksDistinctInstancesUpToMax() {
        for (String id : List.of("a", "b", "c")) {
            provider.createInstance(newInstance(id, "Orch"));
        }
        List<OrchestrationWorkItem> two = provider.fetchOrchestrationItems(LONG_LOCK, 2);
        List<OrchestrationWorkItem> rest = provider.fetchOrchestrationItems(LONG_LOCK, 2);
        assertThat(two).hasSize(2);
        assertThat(rest).hasSize(1);
        assertThat(provider.fetchOrchestrationItems(LONG_LOCK, 2)).isEmpty();
        List<OrchestrationWorkItem> all = new ArrayList<>(two);
        all.addAll(rest);
        assertThat(all).extracting(i -> i.instance().instanceId()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(all).extracting(OrchestrationWorkItem::lockToken).doesNotHaveDuplicates();
        for (OrchestrationWorkItem item : all) {
            assertThat(item.messages()).hasSize(1);
            provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        }
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
    }

    /** A batch skips instances another fetcher holds and instances put back with a delay, and fills up with others. */
    @Test
    public void aBatchFetchSkipsInstancesThatAreHeldOrPutBack() {
        Provider other = openSecond().orElse(provider);
        for (String id : List.of("a", "b", "c", "d")) {
            provider.createInstance(newInstance(id, "Orch"));
        }
        OrchestrationWorkItem a = other.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        OrchestrationWorkItem b = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        assertThat(List.of(a.instanceId(), b.instanceId())).containsExactly("a", "b");
        provider.abandonOrchestrationItem(b.lockToken(), Duration.ofHours(1));

        List<OrchestrationWorkItem> batch = provider.fetchOrchestrationItems(LONG_LOCK, 5);
        assertThat(batch).extracting(OrchestrationWorkItem::instanceId).containsExactly("c", "d");
        assertThat(other.fetchOrchestrationItems(LONG_LOCK, 5)).isEmpty();

        other.commitTurn(a.lockToken(), Turn.of(1).events(a.messages().get(0).event()).build());
        provider.enqueueOrchestratorMessage(event("a", "next"), null);
        List<OrchestrationWorkItem> next = other.fetchOrchestrationItems(LONG_LOCK, 5);
        assertThat(next).extracting(OrchestrationWorkItem::instanceId).containsExactly("a");
        assertThat(next.get(0).messages()).extracting(ValidationSupport::eventName).containsExactly("next");
    }

    @Test
    public void aLockedInstanceIsInvisibleToASecondProvider() {
        Optional<Provider> second = openSecond();
        Provider other = second.orElse(provider);
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        other.enqueueOrchestratorMessage(event("a", "from-other"), null);
        assertThat(other.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());

        OrchestrationWorkItem next = other.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        assertThat(next.instanceId()).isEqualTo("a");
        assertThat(next.history()).hasSize(1);
        assertThat(next.messages()).extracting(ValidationSupport::eventName).containsExactly("from-other");
    }

    @Test
    public void expiredLockIsTakenOverAndTheOldTokensCommitFailsWithoutTrace() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem stale = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        assertThat(stale.attemptCount()).isEqualTo(1);

        OrchestrationWorkItem fresh = awaitPresent("the lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(fresh.instanceId()).isEqualTo("a");
        assertThat(fresh.attemptCount()).isEqualTo(2);
        assertThat(fresh.messages()).hasSize(1);
        assertThat(fresh.lockToken()).isNotEqualTo(stale.lockToken());

        InstanceStatus before = provider.getInstance("a").orElseThrow();
        assertThatThrownBy(() -> provider.commitTurn(stale.lockToken(), Turn.of(1)
                        .events(stale.messages().get(0).event())
                        .completed("\"stale\"")
                        .customStatus("\"stale\"")
                        .activity(workItem("a", 1, 7))
                        .message(event("a", "from-stale"))
                        .build()))
                .isInstanceOf(LockLostException.class)
                .satisfies(e -> assertThat(((LockLostException) e).operation()).isEqualTo("commitTurn"));
        assertThatThrownBy(() -> provider.renewOrchestrationLock(stale.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);

        assertThat(provider.getInstance("a").orElseThrow()).isEqualTo(before);
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(1);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));

        // The new holder's commit works and consumes exactly the one message; nothing from the stale commit appears.
        provider.commitTurn(fresh.lockToken(), Turn.of(1).events(fresh.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(2);
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(provider.getInstance("a").orElseThrow().customStatus()).isNull();
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    public void expiredButUntakenLockCanStillCommit() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = provider.fetchOrchestrationItem(Duration.ofMillis(1)).orElseThrow();
        await("the lock to expire", () -> provider.queueDepths().orchestratorReady() == 1);
        provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK);
        assertThat(provider.queueDepths().orchestratorReady()).isZero();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    @Test
    public void renewKeepsTheLock() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK);
        long renewedAt = now();
        await("the original lock time to pass", () -> now() > renewedAt + SHORT_LOCK.toMillis());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(1);
    }

    /**
     * Several threads (on two providers when the factory supports it) fetch, one instance or a batch, and commit
     * while events keep arriving. No instance is ever held twice at once and every message ends up in history once.
     */
    @Test
    public void concurrentFetchersNeverHoldTheSameInstanceTwice() throws InterruptedException {
        List<Provider> providers = new ArrayList<>(List.of(provider));
        openSecond().ifPresent(providers::add);
        for (int i = 0; i < CONTENTION_INSTANCES; i++) {
            provider.createInstance(newInstance("i-" + i, "Orch"));
        }
        int expected = CONTENTION_INSTANCES * (1 + CONTENTION_EVENTS);
        Map<String, AtomicInteger> holders = new ConcurrentHashMap<>();
        Set<String> consumed = ConcurrentHashMap.newKeySet();
        AtomicInteger consumedCount = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CONTENTION_THREADS; t++) {
            Provider p = providers.get(t % providers.size());
            int batch = t % 2 == 0 ? 1 : CONTENTION_BATCH;
            threads.add(new Thread(() -> {
                while (!stop.get()) {
                    try {
                        List<OrchestrationWorkItem> fetched = batch == 1
                                ? p.fetchOrchestrationItem(LONG_LOCK).stream().toList()
                                : p.fetchOrchestrationItems(LONG_LOCK, batch);
                        if (fetched.isEmpty()) {
                            LockSupport.parkNanos(200_000);
                            continue;
                        }
                        List<AtomicInteger> held = new ArrayList<>();
                        for (OrchestrationWorkItem item : fetched) {
                            held.add(holders.computeIfAbsent(item.instanceId(), k -> new AtomicInteger()));
                            if (held.get(held.size() - 1).incrementAndGet() > 1) {
                                overlaps.incrementAndGet();
                            }
                        }
                        Thread.yield();
                        for (int n = 0; n < fetched.size(); n++) {
                            OrchestrationWorkItem item = fetched.get(n);
                            Turn turn = Turn.of(1);
                            for (OrchestratorMessage m : item.messages()) {
                                consumed.add(item.instanceId() + "/" + (m.event() instanceof HistoryEvent.EventRaised e
                                        ? e.name() : "start"));
                                turn.events(m.event());
                            }
                            held.get(n).decrementAndGet(); // before the commit: after it, another may take the lock
                            p.commitTurn(item.lockToken(), turn.build());
                            consumedCount.addAndGet(item.messages().size());
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                        stop.set(true);
                    }
                }
            }, "fetcher-" + t));
        }
        Thread producer = new Thread(() -> {
            try {
                for (int n = 0; n < CONTENTION_EVENTS; n++) {
                    for (int i = 0; i < CONTENTION_INSTANCES; i++) {
                        providers.get((n + i) % providers.size())
                                .enqueueOrchestratorMessage(event("i-" + i, "e" + n), null);
                    }
                }
            } catch (Throwable e) {
                errors.add(e);
                stop.set(true);
            }
        }, "producer");
        threads.add(producer);
        threads.forEach(Thread::start);
        try {
            await("all messages to be consumed", () -> stop.get() || consumedCount.get() >= expected);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        assertThat(errors).isEmpty();
        assertThat(overlaps.get()).isZero();
        assertThat(consumedCount.get()).isEqualTo(expected);
        assertThat(consumed).hasSize(expected);
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        for (int i = 0; i < CONTENTION_INSTANCES; i++) {
            List<HistoryEvent> history = provider.readHistory("i-" + i, 1);
            assertThat(history).hasSize(1 + CONTENTION_EVENTS);
            assertThat(history.get(0)).isInstanceOf(HistoryEvent.ExecutionStarted.class);
            // Per instance, events arrive in the order they were enqueued.
            assertThat(history.subList(1, history.size())).extracting(e -> ((HistoryEvent.EventRaised) e).name())
                    .containsExactlyElementsOf(IntStream.range(0, CONTENTION_EVENTS)
                            .mapToObj(n -> "e" + n).toList());
        }
    }
}
