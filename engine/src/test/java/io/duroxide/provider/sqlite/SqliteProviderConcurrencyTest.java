package io.duroxide.provider.sqlite;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.sqlite.SqliteTestSupport.Raw;
import io.duroxide.provider.validation.ValidationSupport;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two providers on one file stand in for two processes. Orchestration and activity workers of both
 * run a small workflow per instance (start, then one activity per turn until {@link #ACTIVITIES}),
 * while a producer raises events. Every message must be consumed exactly once and no instance or
 * work item may be held by two workers at the same moment.
 */
class SqliteProviderConcurrencyTest {
    private static final int INSTANCES = 40;
    private static final int ACTIVITIES = 5;
    private static final int EXTERNAL_EVENTS = 300;
    private static final int ORCHESTRATION_THREADS = 3;
    private static final int ACTIVITY_THREADS = 2;
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path dir;

    private final Map<String, AtomicInteger> instanceHolders = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> taskHolders = new ConcurrentHashMap<>();
    private final Map<String, Integer> activitiesScheduled = new ConcurrentHashMap<>();
    private final Set<String> consumed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger consumedCount = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger redeliveries = new AtomicInteger();
    private final AtomicInteger turns = new AtomicInteger();
    private final Map<SqliteProvider, AtomicInteger> turnsByProvider = new ConcurrentHashMap<>();
    private final AtomicInteger activitiesRun = new AtomicInteger();
    private final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    /** A name unique across all messages, to detect double consumption. */
    private static String key(String instanceId, HistoryEvent event) {
        if (event instanceof HistoryEvent.ExecutionStarted) {
            return instanceId + "/start";
        }
        if (event instanceof HistoryEvent.EventRaised e) {
            return instanceId + "/event/" + e.name();
        }
        if (event instanceof HistoryEvent.ActivityCompleted c) {
            return instanceId + "/task/" + c.taskId();
        }
        throw new AssertionError("unexpected message " + event);
    }

    private void orchestrationWorker(SqliteProvider provider) {
        while (!stop.get()) {
            Optional<OrchestrationWorkItem> fetched = provider.fetchOrchestrationItem(LONG_LOCK);
            if (fetched.isEmpty()) {
                LockSupport.parkNanos(200_000);
                continue;
            }
            OrchestrationWorkItem item = fetched.get();
            String id = item.instanceId();
            AtomicInteger holders = instanceHolders.computeIfAbsent(id, k -> new AtomicInteger());
            if (holders.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                if (item.attemptCount() != 1) {
                    redeliveries.incrementAndGet();
                }
                Turn turn = Turn.of(1);
                for (OrchestratorMessage m : item.messages()) {
                    if (!consumed.add(key(id, m.event()))) {
                        duplicates.incrementAndGet();
                    }
                    turn.events(m.event());
                }
                // Only the lock holder touches this instance's entry.
                int scheduled = activitiesScheduled.getOrDefault(id, 0);
                boolean awaiting = item.messages().stream().anyMatch(m -> m.event() instanceof HistoryEvent.ExecutionStarted
                        || m.event() instanceof HistoryEvent.ActivityCompleted);
                if (awaiting && scheduled < ACTIVITIES) {
                    int taskId = scheduled + 1;
                    turn.events(new HistoryEvent.ActivityScheduled(now(), taskId, "Act", "null", null, 0, 1, 0))
                            .activity(workItem(id, 1, taskId));
                    activitiesScheduled.put(id, taskId);
                }
                holders.decrementAndGet(); // before the commit: after it, another worker may rightly take the lock
                provider.commitTurn(item.lockToken(), turn.build());
                consumedCount.addAndGet(item.messages().size());
                turns.incrementAndGet();
                turnsByProvider.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
            } catch (Throwable t) {
                errors.add(t);
                stop.set(true);
            }
        }
    }

    private void activityWorker(SqliteProvider provider) {
        while (!stop.get()) {
            Optional<ActivityLease> fetched = provider.fetchActivity(LONG_LOCK);
            if (fetched.isEmpty()) {
                LockSupport.parkNanos(200_000);
                continue;
            }
            ActivityLease lease = fetched.get();
            String task = lease.item().instanceId() + "/" + lease.item().taskId();
            AtomicInteger holders = taskHolders.computeIfAbsent(task, k -> new AtomicInteger());
            if (holders.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            if (lease.deliveryCount() != 1) {
                redeliveries.incrementAndGet();
            }
            holders.decrementAndGet();
            try {
                provider.completeActivity(lease.lockToken(), new OrchestratorMessage(lease.item().instanceId(), 1L,
                        new HistoryEvent.ActivityCompleted(now(), lease.item().taskId(), "\"" + task + "\"")));
                activitiesRun.incrementAndGet();
            } catch (Throwable t) {
                errors.add(t);
                stop.set(true);
            }
        }
    }

    private void producer(List<SqliteProvider> providers) {
        try {
            for (int n = 0; n < EXTERNAL_EVENTS && !stop.get(); n++) {
                String id = "i-" + ThreadLocalRandom.current().nextInt(INSTANCES);
                providers.get(n % 2).enqueueOrchestratorMessage(new OrchestratorMessage(id, null,
                        new HistoryEvent.EventRaised(now(), "ext-" + n, null)), null);
                if (n % 10 == 0) {
                    Thread.yield();
                }
            }
        } catch (Throwable t) {
            errors.add(t);
            stop.set(true);
        }
    }

    @Test
    void twoProvidersOnOneFileNeverHoldTheSameInstanceOrWorkItemTwice() throws Exception {
        Path file = dir.resolve("shared.db");
        try (SqliteProvider first = SqliteProvider.open(file); SqliteProvider second = SqliteProvider.open(file)) {
            List<SqliteProvider> providers = List.of(first, second);
            for (int i = 0; i < INSTANCES; i++) {
                providers.get(i % 2).createInstance(newInstance("i-" + i, "Orch"));
            }
            int expectedMessages = INSTANCES + INSTANCES * ACTIVITIES + EXTERNAL_EVENTS;

            List<Thread> threads = new ArrayList<>();
            for (SqliteProvider provider : providers) {
                for (int t = 0; t < ORCHESTRATION_THREADS; t++) {
                    threads.add(new Thread(() -> orchestrationWorker(provider), "orch-" + threads.size()));
                }
                for (int t = 0; t < ACTIVITY_THREADS; t++) {
                    threads.add(new Thread(() -> activityWorker(provider), "act-" + threads.size()));
                }
            }
            threads.add(new Thread(() -> producer(providers), "producer"));
            threads.forEach(Thread::start);

            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            ValidationSupport.await("all messages to be consumed", () -> stop.get()
                    || consumedCount.get() >= expectedMessages
                    || System.currentTimeMillis() > deadline);
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(t.isAlive()).as(t.getName() + " stopped").isFalse();
            }

            assertThat(errors).isEmpty();
            assertThat(overlaps.get()).isZero();
            assertThat(duplicates.get()).isZero();
            assertThat(redeliveries.get()).isZero();
            assertThat(consumedCount.get()).isEqualTo(expectedMessages);
            assertThat(consumed).hasSize(expectedMessages);
            assertThat(activitiesRun.get()).isEqualTo(INSTANCES * ACTIVITIES);
            assertThat(first.queueDepths()).isEqualTo(new QueueDepths(0, 0));

            // Every instance's history holds exactly the messages it consumed, in contiguous event ids.
            int events = 0;
            for (int i = 0; i < INSTANCES; i++) {
                List<HistoryEvent> history = second.readHistory("i-" + i, 1);
                Set<String> keys = new HashSet<>();
                for (HistoryEvent e : history) {
                    if (!(e instanceof HistoryEvent.ActivityScheduled)) {
                        assertThat(keys.add(key("i-" + i, e))).isTrue();
                    }
                }
                assertThat(history.get(0)).isInstanceOf(HistoryEvent.ExecutionStarted.class);
                assertThat(history).filteredOn(HistoryEvent.ActivityScheduled.class::isInstance).hasSize(ACTIVITIES);
                events += keys.size();
            }
            assertThat(events).isEqualTo(expectedMessages);
            try (Raw raw = new Raw(file)) {
                assertThat(raw.count("SELECT count(*) FROM orchestrator_queue")).isZero();
                assertThat(raw.count("SELECT count(*) FROM worker_queue")).isZero();
                assertThat(raw.count("SELECT count(*) FROM instance_locks")).isZero();
                assertThat(raw.count("SELECT count(*) FROM (SELECT instance_id, count(*) AS n, max(event_id) AS m"
                        + " FROM history GROUP BY instance_id) WHERE n <> m")).isZero();
                assertThat(raw.count("SELECT count(*) FROM executions e WHERE history_size <>"
                        + " (SELECT count(*) FROM history h WHERE h.instance_id = e.instance_id)")).isZero();
            }
            assertThat(turns.get()).isGreaterThanOrEqualTo(INSTANCES * (ACTIVITIES + 1));
            // Both "processes" did part of the work.
            assertThat(turnsByProvider.get(first)).as("turns of the first provider").isNotNull()
                    .satisfies(n -> assertThat(n.get()).isPositive());
            assertThat(turnsByProvider.get(second)).as("turns of the second provider").isNotNull()
                    .satisfies(n -> assertThat(n.get()).isPositive());
        }
    }
}
