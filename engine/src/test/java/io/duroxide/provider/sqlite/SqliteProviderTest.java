package io.duroxide.provider.sqlite;

import static io.duroxide.provider.sqlite.SqliteTestSupport.LONG_LOCK;
import static io.duroxide.provider.sqlite.SqliteTestSupport.activityCompleted;
import static io.duroxide.provider.sqlite.SqliteTestSupport.awaitPresent;
import static io.duroxide.provider.sqlite.SqliteTestSupport.childStart;
import static io.duroxide.provider.sqlite.SqliteTestSupport.event;
import static io.duroxide.provider.sqlite.SqliteTestSupport.newInstance;
import static io.duroxide.provider.sqlite.SqliteTestSupport.now;
import static io.duroxide.provider.sqlite.SqliteTestSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.sqlite.SqliteTestSupport.Raw;
import io.duroxide.provider.sqlite.SqliteTestSupport.Turn;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteProviderTest {
    private static final Duration SHORT_LOCK = Duration.ofMillis(200);

    @TempDir
    Path dir;

    Path file;
    SqliteProvider provider;

    @BeforeEach
    void open() {
        file = dir.resolve("store.db");
        provider = SqliteProvider.open(file);
    }

    @AfterEach
    void close() {
        provider.close();
    }

    private OrchestrationWorkItem fetch() {
        return provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow(() -> new AssertionError("nothing to fetch"));
    }

    private static List<Class<?>> types(List<?> values) {
        return values.stream().<Class<?>>map(v -> v instanceof OrchestratorMessage m ? m.event().getClass() : v.getClass())
                .toList();
    }

    /** Creates the instance and commits its first turn (the start event), leaving it RUNNING. */
    private void startAndRunFirstTurn(String id) {
        provider.createInstance(newInstance(id, "Orch"));
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo(id);
        provider.commitTurn(item.lockToken(),
                Turn.of(1).events(item.messages().get(0).event()).version("Orch", "1.0").build());
    }

    // ------------------------------------------------------------------ create

    @Test
    void createInstanceWritesInstanceExecutionAndStartMessage() {
        long before = now();
        io.duroxide.provider.NewInstance start = newInstance("a", "Orch");
        provider.createInstance(start);

        InstanceStatus status = provider.getInstance("a").orElseThrow();
        assertThat(status.instanceId()).isEqualTo("a");
        assertThat(status.name()).isEqualTo("Orch");
        assertThat(status.version()).isEqualTo("1.0");
        assertThat(status.status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(status.executionId()).isEqualTo(1);
        assertThat(status.input()).isEqualTo("\"input-a\"");
        assertThat(status.output()).isNull();
        assertThat(status.failure()).isNull();
        assertThat(status.parentInstanceId()).isNull();
        assertThat(status.createdAt()).isAfterOrEqualTo(Instant.ofEpochMilli(before));

        ExecutionRecord execution = provider.getExecution("a", 1).orElseThrow();
        assertThat(execution.initiatedBy()).isEqualTo(InitiatedBy.CLIENT);
        assertThat(execution.turnCount()).isZero();
        assertThat(execution.startedAt()).isAfterOrEqualTo(Instant.ofEpochMilli(before));
        assertThat(provider.getExecution("a", 2)).isEmpty();

        OrchestrationWorkItem item = fetch();
        assertThat(item.instance().status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(item.execution()).isEqualTo(execution);
        assertThat(item.history()).isEmpty();
        assertThat(item.historyError()).isNull();
        assertThat(item.attemptCount()).isEqualTo(1);
        assertThat(item.messages()).hasSize(1);
        assertThat(item.messages()).containsExactly(start.startMessage());
    }

    @Test
    void duplicateInstanceIdIsRejectedWithItsStatusAndChangesNothing() {
        provider.createInstance(newInstance("dup", "Orch"));
        assertThatThrownBy(() -> provider.createInstance(newInstance("dup", "Other")))
                .isInstanceOf(InstanceAlreadyExistsException.class)
                .hasMessageContaining("dup")
                .hasMessageContaining("PENDING");
        assertThat(provider.getInstance("dup").orElseThrow().name()).isEqualTo("Orch");
        assertThat(provider.queueDepths().orchestratorReady()).isEqualTo(1);

        // Also after it completed: the id stays taken until purged.
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).completed("1").build());
        assertThatThrownBy(() -> provider.createInstance(newInstance("dup", "Orch")))
                .isInstanceOf(InstanceAlreadyExistsException.class)
                .hasMessageContaining("COMPLETED");
    }

    @Test
    void signalWithStartCreatesOnlyOnceAndAlwaysEnqueuesTheSignal() {
        assertThat(provider.signalWithStart(newInstance("s", "Orch"), event("s", "first"))).isTrue();
        assertThat(provider.signalWithStart(newInstance("s", "Orch"), event("s", "second"))).isFalse();

        OrchestrationWorkItem item = fetch();
        assertThat(types(item.messages())).containsExactly(HistoryEvent.ExecutionStarted.class,
                HistoryEvent.EventRaised.class, HistoryEvent.EventRaised.class);
        assertThat(item.messages().get(1).event()).isInstanceOfSatisfying(HistoryEvent.EventRaised.class,
                e -> assertThat(e.name()).isEqualTo("first"));
        assertThat(item.messages().get(0).executionId()).isEqualTo(1L);
        assertThat(item.messages().get(1).executionId()).isNull();
        assertThat(item.messages().get(2).event()).isInstanceOfSatisfying(HistoryEvent.EventRaised.class,
                e -> assertThat(e.name()).isEqualTo("second"));
        assertThat(provider.getExecution("s", 1).orElseThrow().initiatedBy()).isEqualTo(InitiatedBy.CLIENT);
    }

    @Test
    void enqueueForUnknownInstanceFails() {
        assertThatThrownBy(() -> provider.enqueueOrchestratorMessage(event("ghost", "e"), null))
                .isInstanceOf(InstanceNotFoundException.class)
                .hasMessageContaining("ghost");
        assertThat(provider.queueDepths().orchestratorReady()).isZero();
    }

    // ------------------------------------------------------------------ instance lock

    @Test
    void fetchLocksTheInstanceAndLateMessagesSurviveTheCommit() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem first = fetch();
        assertThat(first.history()).hasSize(1);
        assertThat(types(first.messages())).containsExactly(HistoryEvent.EventRaised.class);

        // Locked: a second fetch gets nothing, even though a new message arrives.
        provider.enqueueOrchestratorMessage(event("a", "late"), null);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths().orchestratorReady()).isZero();

        provider.commitTurn(first.lockToken(), Turn.of(1).events(first.messages().get(0).event()).build());

        OrchestrationWorkItem next = fetch();
        assertThat(next.messages()).hasSize(1);
        assertThat(((HistoryEvent.EventRaised) next.messages().get(0).event()).name()).isEqualTo("late");
        assertThat(next.history()).hasSize(2);
        assertThat(next.execution().turnCount()).isEqualTo(2);
        assertThat(next.attemptCount()).isEqualTo(1);
    }

    @Test
    void otherInstancesAreFetchedWhileOneIsLocked() {
        provider.createInstance(newInstance("a", "Orch"));
        provider.createInstance(newInstance("b", "Orch"));
        OrchestrationWorkItem a = fetch();
        OrchestrationWorkItem b = fetch();
        assertThat(List.of(a.instanceId(), b.instanceId())).containsExactly("a", "b");
        assertThat(a.lockToken()).isNotEqualTo(b.lockToken());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    void expiredLockIsTakenOverAndTheOldTokensCommitFailsWithoutTrace() throws SQLException {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem stale = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        assertThat(stale.attemptCount()).isEqualTo(1);

        OrchestrationWorkItem fresh = awaitPresent("the lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(fresh.instanceId()).isEqualTo("a");
        assertThat(fresh.attemptCount()).isEqualTo(2);
        assertThat(fresh.messages()).hasSize(1);

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

        assertThat(provider.getInstance("a").orElseThrow()).isEqualTo(before);
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(1);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        try (Raw raw = new Raw(file)) {
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue")).isEqualTo(1);
            assertThat(raw.string("SELECT lock_token FROM orchestrator_queue")).isEqualTo(fresh.lockToken());
            assertThat(raw.string("SELECT lock_token FROM instance_locks")).isEqualTo(fresh.lockToken());
        }

        // The new holder's commit works.
        provider.commitTurn(fresh.lockToken(), Turn.of(1).events(fresh.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(2);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    @Test
    void expiredButUntakenLockCanStillCommit() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = provider.fetchOrchestrationItem(Duration.ofMillis(1)).orElseThrow();
        SqliteTestSupport.await("the lock to expire", () -> provider.queueDepths().orchestratorReady() == 1);
        provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK);
        assertThat(provider.queueDepths().orchestratorReady()).isZero();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
    }

    @Test
    void commitIsAllOrNothing() throws SQLException {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem item = fetch();
        InstanceStatus before = provider.getInstance("a").orElseThrow();

        // Continue-as-new into execution 1, which exists: the last statements fail, everything rolls back.
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.of(1)
                        .events(item.messages().get(0).event(), new HistoryEvent.ExecutionContinuedAsNew(now(), "1"))
                        .status(RuntimeStatus.RUNNING)
                        .customStatus("\"changed\"")
                        .activity(workItem("a", 1, 3))
                        .message(event("other", "x"))
                        .continueAsNew(1)
                        .build()))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e).isNotInstanceOf(LockLostException.class);
                    assertThat(e.operation()).isEqualTo("commitTurn");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getCause()).isInstanceOf(SQLException.class);
                    assertThat(SqliteErrors.primaryCode(e)).isEqualTo(19); // SQLITE_CONSTRAINT
                });

        assertThat(provider.getInstance("a").orElseThrow()).isEqualTo(before);
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(1);
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        try (Raw raw = new Raw(file)) {
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue WHERE lock_token = ?", item.lockToken()))
                    .isEqualTo(1);
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue")).isEqualTo(1);
            assertThat(raw.count("SELECT count(*) FROM instance_locks WHERE lock_token = ?", item.lockToken()))
                    .isEqualTo(1);
        }

        // The lock is still ours: a correct commit succeeds.
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(2);
    }

    @Test
    void commitForAMissingExecutionFailsAndKeepsTheLock() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.of(9).events(item.messages().get(0).event())
                        .build()))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("execution 9");
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.readHistory("a", 1)).hasSize(1);
    }

    @Test
    void commitWritesHistoryExecutionAndInstance() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        HistoryEvent start = item.messages().get(0).event();
        provider.commitTurn(item.lockToken(), Turn.of(1)
                .events(start, new HistoryEvent.TimerCreated(now(), 1, now() + 60_000))
                .version("Orch", "1.5")
                .customStatus("{\"step\":1}")
                .build());
        InstanceStatus running = provider.getInstance("a").orElseThrow();
        assertThat(running.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(running.version()).isEqualTo("1.5");
        assertThat(running.customStatus()).isEqualTo("{\"step\":1}");
        assertThat(running.lastUpdatedAt()).isAfterOrEqualTo(running.createdAt());

        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem second = fetch();
        assertThat(types(second.history())).containsExactly(HistoryEvent.ExecutionStarted.class,
                HistoryEvent.TimerCreated.class);
        FailureDetails failure = FailureDetails.fromThrowable(FailureKind.APPLICATION,
                new IllegalStateException("boom", new RuntimeException("root")));
        // No custom-status change: the old value stays.
        provider.commitTurn(second.lockToken(), Turn.of(1).events(second.messages().get(0).event()).failed(failure)
                .build());

        InstanceStatus failed = provider.getInstance("a").orElseThrow();
        assertThat(failed.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(failed.failure()).isEqualTo(failure);
        assertThat(failed.output()).isNull();
        assertThat(failed.customStatus()).isEqualTo("{\"step\":1}");
        assertThat(failed.version()).isEqualTo("1.5");
        List<HistoryEvent> history = provider.readHistory("a", 1);
        assertThat(types(history)).containsExactly(HistoryEvent.ExecutionStarted.class,
                HistoryEvent.TimerCreated.class, HistoryEvent.EventRaised.class, HistoryEvent.ExecutionFailed.class);
        assertThat(((HistoryEvent.ExecutionFailed) history.get(3)).failure()).isEqualTo(failure);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(2);
    }

    @Test
    void executionStatusAndCompletionTimeFollowTheTurn() throws SQLException {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(new OrchestratorMessage("a", null,
                new HistoryEvent.ExecutionSuspended(now(), "ops")), null);
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .status(RuntimeStatus.SUSPENDED).build());
        try (Raw raw = new Raw(file)) {
            assertThat(raw.string("SELECT status FROM executions WHERE instance_id = 'a'")).isEqualTo("SUSPENDED");
            assertThat(raw.string("SELECT completed_at FROM executions WHERE instance_id = 'a'")).isNull();
            assertThat(raw.count("SELECT history_size FROM executions WHERE instance_id = 'a'")).isEqualTo(2);
        }
        provider.enqueueOrchestratorMessage(new OrchestratorMessage("a", null,
                new HistoryEvent.ExecutionCancelRequested(now(), "stop")), null);
        OrchestrationWorkItem cancel = fetch();
        assertThat(cancel.instance().status()).isEqualTo(RuntimeStatus.SUSPENDED);
        FailureDetails cancelled = FailureDetails.of(FailureKind.CANCELLED, "cancelled", "stop", false);
        Turn turn = Turn.of(1).events(cancel.messages().get(0).event(), new HistoryEvent.ExecutionCancelled(now(), "stop"))
                .status(RuntimeStatus.CANCELLED);
        turn.failure = cancelled;
        turn.terminal = true;
        provider.commitTurn(cancel.lockToken(), turn.build());
        try (Raw raw = new Raw(file)) {
            assertThat(raw.string("SELECT status FROM executions WHERE instance_id = 'a'")).isEqualTo("CANCELLED");
            assertThat(raw.count("SELECT completed_at FROM executions WHERE instance_id = 'a'")).isPositive();
            assertThat(raw.count("SELECT history_size FROM executions WHERE instance_id = 'a'")).isEqualTo(4);
            assertThat(raw.string("SELECT group_concat(event_id || ':' || event_type, ',') FROM"
                    + " (SELECT * FROM history WHERE instance_id = 'a' ORDER BY event_id)"))
                    .isEqualTo("1:ExecutionStarted,2:ExecutionSuspended,3:ExecutionCancelRequested,4:ExecutionCancelled");
        }
        assertThat(provider.getInstance("a").orElseThrow().failure()).isEqualTo(cancelled);
    }

    // ------------------------------------------------------------------ visibility and attempts

    @Test
    void delayedMessagesBecomeVisibleAtTheirTime() {
        startAndRunFirstTurn("a");
        Instant visibleAt = Instant.ofEpochMilli(now() + 300);
        provider.enqueueOrchestratorMessage(event("a", "later"), visibleAt);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.queueDepths().orchestratorReady()).isZero();

        OrchestrationWorkItem item = awaitPresent("the delayed message", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now()).isGreaterThanOrEqualTo(visibleAt.toEpochMilli());
        assertThat(item.messages()).hasSize(1);

        // A timer written by a commit behaves the same.
        long fireAt = now() + 300;
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .message(new TimedMessage(new OrchestratorMessage("a", 1L, new HistoryEvent.TimerFired(now(), 4, fireAt)),
                        Instant.ofEpochMilli(fireAt)))
                .build());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        OrchestrationWorkItem timer = awaitPresent("the timer", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now()).isGreaterThanOrEqualTo(fireAt);
        assertThat(timer.messages().get(0).event()).isInstanceOf(HistoryEvent.TimerFired.class);
        assertThat(timer.messages().get(0).executionId()).isEqualTo(1L);
    }

    @Test
    void onlyVisibleMessagesAreTakenByAFetch() {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "future"), Instant.ofEpochMilli(now() + 60_000));
        provider.enqueueOrchestratorMessage(event("a", "now"), null);
        OrchestrationWorkItem item = fetch();
        assertThat(item.messages()).extracting(m -> ((HistoryEvent.EventRaised) m.event()).name()).containsExactly("now");
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).build());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.countActiveInstances()).containsExactly(new ActiveInstanceCount("Orch", "waiting", 1));
    }

    @Test
    void attemptCountGrowsOnEveryFetch() {
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
        assertThat(fetch().attemptCount()).isEqualTo(1);
    }

    @Test
    void abandonWithDelayHidesTheMessagesAndUnknownTokensFail() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        long abandonedAt = now();
        provider.abandonOrchestrationItem(item.lockToken(), Duration.ofMillis(300));
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        OrchestrationWorkItem again = awaitPresent("the abandon delay", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThat(now()).isGreaterThanOrEqualTo(abandonedAt + 300);
        assertThat(again.attemptCount()).isEqualTo(2);

        assertThatThrownBy(() -> provider.abandonOrchestrationItem(item.lockToken(), null))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.renewOrchestrationLock("no-such-token", LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.commitTurn("no-such-token", Turn.of(1).build()))
                .isInstanceOf(LockLostException.class);
        provider.renewOrchestrationLock(again.lockToken(), LONG_LOCK);
    }

    @Test
    void renewKeepsTheLock() {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        provider.renewOrchestrationLock(item.lockToken(), LONG_LOCK);
        long renewedAt = now();
        SqliteTestSupport.await("the original lock time to pass", () -> now() > renewedAt + SHORT_LOCK.toMillis());
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
    }

    // ------------------------------------------------------------------ activities

    @Test
    void activityPeekLockAndCompletion() {
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
    void expiredActivityLockIsRedeliveredAndTheOldTokenIsDead() {
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
    }

    @Test
    void terminalTurnRemovesActivityWorkAndLateCompletionsFail() throws SQLException {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 1)).activity(workItem("a", 1, 2)).build());
        ActivityLease running = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(running.item().taskId()).isEqualTo(1);

        provider.enqueueOrchestratorMessage(new OrchestratorMessage("a", null,
                new HistoryEvent.ExecutionCancelRequested(now(), "stop")), null);
        OrchestrationWorkItem cancel = fetch();
        provider.commitTurn(cancel.lockToken(), Turn.of(1).events(cancel.messages().get(0).event()).completed("0")
                .activity(workItem("a", 1, 3)).build());

        try (Raw raw = new Raw(file)) {
            assertThat(raw.count("SELECT count(*) FROM worker_queue")).isZero();
        }
        assertThatThrownBy(() -> provider.renewActivityLock(running.lockToken(), LONG_LOCK))
                .isInstanceOf(LockLostException.class);
        assertThatThrownBy(() -> provider.completeActivity(running.lockToken(),
                        new OrchestratorMessage("a", 1L, activityCompleted(1, "late"))))
                .isInstanceOf(LockLostException.class);
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(provider.getInstance("a").orElseThrow().output()).isEqualTo("0");
    }

    @Test
    void unreadableWorkItemIsFailedBackToItsOrchestration() throws SQLException {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 5)).activity(workItem("a", 1, 6)).build());
        try (Raw raw = new Raw(file)) {
            raw.update("UPDATE worker_queue SET item_json = '{not json' WHERE task_id = 5");
        }
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        assertThat(lease.item().taskId()).isEqualTo(6);
        OrchestrationWorkItem failure = fetch();
        assertThat(failure.messages()).hasSize(1);
        assertThat(failure.messages().get(0).event()).isInstanceOfSatisfying(HistoryEvent.ActivityFailed.class, e -> {
            assertThat(e.taskId()).isEqualTo(5);
            assertThat(e.failure().kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
            assertThat(e.failure().retryable()).isFalse();
        });
    }

    // ------------------------------------------------------------------ executions and children

    @Test
    void continueAsNewStartsTheNextExecutionWithEmptyHistory() throws SQLException {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem item = fetch();
        HistoryEvent.ExecutionStarted next = new HistoryEvent.ExecutionStarted(now(), "Orch", "1.0", "\"round-2\"",
                InitiatedBy.CONTINUE_AS_NEW, null);
        provider.commitTurn(item.lockToken(), Turn.of(1)
                .events(item.messages().get(0).event(), new HistoryEvent.ExecutionContinuedAsNew(now(), "\"round-2\""))
                .activity(workItem("a", 1, 9))
                .message(new OrchestratorMessage("a", 2L, next))
                .continueAsNew(2)
                .build());

        InstanceStatus status = provider.getInstance("a").orElseThrow();
        assertThat(status.executionId()).isEqualTo(2);
        assertThat(status.status()).isEqualTo(RuntimeStatus.RUNNING);
        ExecutionRecord second = provider.getExecution("a", 2).orElseThrow();
        assertThat(second.initiatedBy()).isEqualTo(InitiatedBy.CONTINUE_AS_NEW);
        assertThat(second.turnCount()).isZero();
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(2);
        assertThat(provider.readHistory("a", 1)).hasSize(3);
        assertThat(provider.readHistory("a", 2)).isEmpty();
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        try (Raw raw = new Raw(file)) {
            assertThat(raw.string("SELECT status FROM executions WHERE instance_id = 'a' AND execution_id = 1"))
                    .isEqualTo("CONTINUED_AS_NEW");
            assertThat(raw.count("SELECT completed_at FROM executions WHERE instance_id = 'a' AND execution_id = 1"))
                    .isPositive();
            assertThat(raw.string("SELECT status FROM executions WHERE instance_id = 'a' AND execution_id = 2"))
                    .isEqualTo("RUNNING");
            assertThat(raw.count("SELECT count(*) FROM instances")).isEqualTo(1);
        }

        OrchestrationWorkItem fresh = fetch();
        assertThat(fresh.execution()).isEqualTo(second);
        assertThat(fresh.history()).isEmpty();
        assertThat(fresh.messages()).containsExactly(new OrchestratorMessage("a", 2L, next));
        provider.commitTurn(fresh.lockToken(), Turn.of(2).events(next).build());
        assertThat(provider.readHistory("a", 2)).containsExactly(next);
        assertThat(provider.getExecution("a", 2).orElseThrow().turnCount()).isEqualTo(1);
    }

    @Test
    void commitCreatesChildInstances() {
        startAndRunFirstTurn("parent");
        provider.enqueueOrchestratorMessage(event("parent", "go"), null);
        OrchestrationWorkItem item = fetch();
        provider.createInstance(newInstance("existing", "Other"));
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .message(new OrchestratorMessage("child", 1L, childStart("Child", "parent", 1)))
                .message(new OrchestratorMessage("existing", 1L, childStart("Child", "parent", 2)))
                .build());

        InstanceStatus child = provider.getInstance("child").orElseThrow();
        assertThat(child.status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(child.name()).isEqualTo("Child");
        assertThat(child.version()).isEqualTo("2.0");
        assertThat(child.input()).isEqualTo("\"child-input\"");
        assertThat(child.parentInstanceId()).isEqualTo("parent");
        assertThat(child.executionId()).isEqualTo(1);
        assertThat(provider.getExecution("child", 1).orElseThrow().initiatedBy())
                .isEqualTo(InitiatedBy.SUB_ORCHESTRATION);
        // An existing instance is not overwritten; the message is still delivered.
        InstanceStatus existing = provider.getInstance("existing").orElseThrow();
        assertThat(existing.name()).isEqualTo("Other");
        assertThat(existing.parentInstanceId()).isNull();

        OrchestrationWorkItem existingStart = fetch();
        assertThat(existingStart.instanceId()).isEqualTo("existing");
        assertThat(existingStart.messages()).hasSize(2);
        OrchestrationWorkItem childItem = fetch();
        assertThat(childItem.instanceId()).isEqualTo("child");
        assertThat(childItem.instance().parentInstanceId()).isEqualTo("parent");
        assertThat(childItem.messages().get(0).event()).isInstanceOf(HistoryEvent.ExecutionStarted.class);
    }

    // ------------------------------------------------------------------ purge

    private void completeTree() {
        startAndRunFirstTurn("root");
        provider.enqueueOrchestratorMessage(event("root", "go"), null);
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("root", 1, 1))
                .message(new OrchestratorMessage("child", 1L, childStart("Child", "root", 2)))
                .build());
        OrchestrationWorkItem child = fetch();
        provider.commitTurn(child.lockToken(), Turn.of(1).events(child.messages().get(0).event())
                .message(new OrchestratorMessage("grandchild", 1L, childStart("Grandchild", "child", 1)))
                .build());
    }

    @Test
    void purgeRefusesNonTerminalInstancesAndDescendants() {
        completeTree();
        assertThatThrownBy(() -> provider.purgeInstance("root"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'root'")
                .hasMessageContaining("RUNNING");

        OrchestrationWorkItem grandchild = fetch();
        provider.commitTurn(grandchild.lockToken(), Turn.of(1).events(grandchild.messages().get(0).event())
                .completed("1").build());
        provider.enqueueOrchestratorMessage(event("root", "stop"), null);
        OrchestrationWorkItem root = fetch();
        assertThat(root.instanceId()).isEqualTo("root");
        provider.commitTurn(root.lockToken(), Turn.of(1).events(root.messages().get(0).event()).completed("2").build());

        assertThatThrownBy(() -> provider.purgeInstance("root"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'child'")
                .hasMessageContaining("RUNNING");
        assertThat(provider.getInstance("root")).isPresent();
        assertThat(provider.purgeInstance("grandchild")).isEqualTo(1);
        assertThat(provider.getInstance("grandchild")).isEmpty();
        assertThat(provider.purgeInstance("nobody")).isZero();
    }

    @Test
    void purgeDeletesTheWholeTreeFromEveryTable() throws SQLException {
        completeTree();
        // Finish child and grandchild, leave a queued message and a late event for root.
        for (String id : List.of("grandchild", "child")) {
            provider.enqueueOrchestratorMessage(event(id, "stop"), null);
            OrchestrationWorkItem item = fetch();
            assertThat(item.instanceId()).isEqualTo(id);
            provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event()).completed("1")
                    .build());
        }
        provider.enqueueOrchestratorMessage(event("root", "stop"), null);
        OrchestrationWorkItem root = fetch();
        provider.commitTurn(root.lockToken(), Turn.of(1).events(root.messages().get(0).event()).completed("2").build());
        provider.enqueueOrchestratorMessage(event("root", "after-the-end"), null);
        provider.createInstance(newInstance("bystander", "Orch"));

        OrchestrationWorkItem late = fetch();
        assertThat(late.instanceId()).isEqualTo("root");
        assertThat(provider.purgeInstance("root")).isEqualTo(3);
        assertThatThrownBy(() -> provider.commitTurn(late.lockToken(), Turn.of(1).build()))
                .isInstanceOf(LockLostException.class);

        try (Raw raw = new Raw(file)) {
            for (String table : List.of("instances", "executions", "history", "orchestrator_queue", "worker_queue",
                    "instance_locks")) {
                assertThat(raw.count("SELECT count(*) FROM " + table + " WHERE instance_id <> 'bystander'"))
                        .as(table).isZero();
            }
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue")).isEqualTo(1);
        }
        assertThat(provider.getInstance("bystander")).isPresent();
    }

    // ------------------------------------------------------------------ reads and metrics

    @Test
    void listInstancesFiltersAndPages() {
        for (String id : List.of("c", "a", "e", "b", "d")) {
            provider.createInstance(newInstance(id, id.compareTo("c") < 0 ? "Early" : "Late"));
        }
        OrchestrationWorkItem a = fetch();
        provider.commitTurn(a.lockToken(), Turn.of(1).events(a.messages().get(0).event()).completed("1").build());

        assertThat(provider.listInstances(InstanceQuery.all())).extracting(InstanceStatus::instanceId)
                .containsExactly("a", "b", "c", "d", "e");
        assertThat(provider.listInstances(InstanceQuery.byName("Early"))).extracting(InstanceStatus::instanceId)
                .containsExactly("a", "b");
        assertThat(provider.listInstances(InstanceQuery.byStatus(RuntimeStatus.COMPLETED)))
                .extracting(InstanceStatus::instanceId).containsExactly("c");
        assertThat(provider.listInstances(new InstanceQuery(Set.of(RuntimeStatus.PENDING, RuntimeStatus.RUNNING),
                "Late", null, 10))).extracting(InstanceStatus::instanceId).containsExactly("d", "e");
        assertThat(provider.listInstances(new InstanceQuery(null, null, null, 2))).extracting(InstanceStatus::instanceId)
                .containsExactly("a", "b");
        assertThat(provider.listInstances(new InstanceQuery(null, null, "b", 2))).extracting(InstanceStatus::instanceId)
                .containsExactly("c", "d");
        assertThat(provider.listInstances(new InstanceQuery(null, null, "e", 2))).isEmpty();
    }

    @Test
    void queueDepthsAndActiveCounts() {
        provider.createInstance(newInstance("p1", "A"));
        provider.createInstance(newInstance("p2", "A"));
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(2, 0));
        assertThat(provider.countActiveInstances()).containsExactly(new ActiveInstanceCount("A", "pending", 2));

        OrchestrationWorkItem p1 = fetch();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
        provider.commitTurn(p1.lockToken(), Turn.of(1).events(p1.messages().get(0).event())
                .events(new HistoryEvent.TimerCreated(now(), 1, now() + 60_000))
                .message(new TimedMessage(new OrchestratorMessage("p1", 1L,
                        new HistoryEvent.TimerFired(now(), 1, now() + 60_000)), Instant.ofEpochMilli(now() + 60_000)))
                .build());
        OrchestrationWorkItem p2 = fetch();
        provider.commitTurn(p2.lockToken(), Turn.of(1).events(p2.messages().get(0).event()).status(RuntimeStatus.SUSPENDED)
                .build());
        provider.createInstance(newInstance("b1", "B"));
        OrchestrationWorkItem b1 = fetch();
        provider.commitTurn(b1.lockToken(), Turn.of(1).events(b1.messages().get(0).event())
                .activity(workItem("b1", 1, 1)).build());
        provider.createInstance(newInstance("b2", "B"));
        OrchestrationWorkItem b2 = fetch();
        provider.commitTurn(b2.lockToken(), Turn.of(1).events(b2.messages().get(0).event()).completed("1").build());

        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 1));
        assertThat(provider.countActiveInstances()).containsExactly(
                new ActiveInstanceCount("A", "suspended", 1),
                new ActiveInstanceCount("A", "waiting", 1),
                new ActiveInstanceCount("B", "running", 1));
    }

    @Test
    void unreadableHistoryIsReportedNotThrown() throws SQLException {
        startAndRunFirstTurn("a");
        try (Raw raw = new Raw(file)) {
            raw.update("UPDATE history SET event_json = '{\"type\":\"NoSuchEvent\"}' WHERE instance_id = 'a'");
        }
        provider.enqueueOrchestratorMessage(event("a", "go"), null);
        OrchestrationWorkItem item = fetch();
        assertThat(item.historyError()).contains("history event 1").contains("'a'");
        assertThat(item.history()).isEmpty();
        assertThat(item.messages()).hasSize(1);
        assertThatThrownBy(() -> provider.readHistory("a", 1))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse());
        // The runtime fails the instance; its commit consumes the message.
        provider.commitTurn(item.lockToken(), Turn.of(1).failed(FailureDetails.of(FailureKind.POISON, "history",
                item.historyError(), false)).build());
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.FAILED);
    }

    @Test
    void messagesOfMissingInstancesAreDroppedAndTheNextInstanceIsFetched() throws SQLException {
        provider.createInstance(newInstance("real", "Orch"));
        try (Raw raw = new Raw(file)) {
            raw.update("INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at,"
                    + " attempt_count, created_at) VALUES ('ghost', NULL, '{}', 0, 0, 0)");
            raw.update("UPDATE orchestrator_queue SET id = 0 WHERE instance_id = 'ghost'");
        }
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo("real");
        try (Raw raw = new Raw(file)) {
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue WHERE instance_id = 'ghost'")).isZero();
        }
    }

    @Test
    void closedProviderFailsClearly() {
        provider.close();
        assertThatThrownBy(() -> provider.getInstance("a"))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.operation()).isEqualTo("getInstance"))
                .hasMessageContaining("closed");
        provider.close(); // idempotent
    }

    @Test
    void dataSurvivesReopening() {
        startAndRunFirstTurn("a");
        provider.close();
        provider = SqliteProvider.open(file);
        assertThat(provider.getInstance("a").orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(provider.readHistory("a", 1)).hasSize(1);
        assertThat(provider.name()).isEqualTo("sqlite");
    }
}
