package io.duroxide.provider.sqlite;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.SHORT_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.ApiFailures;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.sqlite.SqliteTestSupport.Raw;
import io.duroxide.provider.validation.ProviderScenarios;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the SQLite provider promises: its tables after each operation, error classification,
 * damaged rows, reopening. The provider-generic semantics are in {@link SqliteProviderValidationTest}.
 */
class SqliteProviderTest {

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
        return new ProviderScenarios(provider).fetch();
    }

    private void startAndRunFirstTurn(String id) {
        new ProviderScenarios(provider).startAndRunFirstTurn(id);
    }

    // ------------------------------------------------------------------ tables after commits

    @Test
    void lostLockCommitLeavesTheRowsOfTheNewHolder() throws SQLException {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem stale = provider.fetchOrchestrationItem(SHORT_LOCK).orElseThrow();
        OrchestrationWorkItem fresh = awaitPresent("the lock to expire", () -> provider.fetchOrchestrationItem(LONG_LOCK));
        assertThatThrownBy(() -> provider.commitTurn(stale.lockToken(), Turn.of(1)
                        .events(stale.messages().get(0).event()).completed("\"stale\"").activity(workItem("a", 1, 7))
                        .build()))
                .isInstanceOf(LockLostException.class);
        try (Raw raw = new Raw(file)) {
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue")).isEqualTo(1);
            assertThat(raw.string("SELECT lock_token FROM orchestrator_queue")).isEqualTo(fresh.lockToken());
            assertThat(raw.string("SELECT lock_token FROM instance_locks")).isEqualTo(fresh.lockToken());
            assertThat(raw.count("SELECT count(*) FROM worker_queue")).isZero();
            assertThat(raw.count("SELECT count(*) FROM history")).isEqualTo(1);
        }
    }

    @Test
    void failedCommitIsAConstraintViolationAndRollsBackEveryTable() throws SQLException {
        startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "e1"), null);
        OrchestrationWorkItem item = fetch();

        // Continue-as-new into execution 1, which exists: the last statements fail, everything rolls back.
        assertThatThrownBy(() -> provider.commitTurn(item.lockToken(), Turn.of(1)
                        .events(item.messages().get(0).event(), new HistoryEvent.ExecutionContinuedAsNew(now(), "1"))
                        .customStatus("\"changed\"")
                        .activity(workItem("a", 1, 3))
                        .message(event("other", "x"))
                        .continueAsNew(1)
                        .build()))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.getCause()).isInstanceOf(SQLException.class);
                    assertThat(SqliteErrors.primaryCode(e)).isEqualTo(19); // SQLITE_CONSTRAINT
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.CONSTRAINT_VIOLATION);
                });
        try (Raw raw = new Raw(file)) {
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue WHERE lock_token = ?", item.lockToken()))
                    .isEqualTo(1);
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue")).isEqualTo(1);
            assertThat(raw.count("SELECT count(*) FROM instance_locks WHERE lock_token = ?", item.lockToken()))
                    .isEqualTo(1);
            assertThat(raw.count("SELECT count(*) FROM worker_queue")).isZero();
            assertThat(raw.count("SELECT count(*) FROM history")).isEqualTo(1);
            assertThat(raw.count("SELECT count(*) FROM executions")).isEqualTo(1);
            assertThat(raw.string("SELECT custom_status FROM instances")).isNull();
        }
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
        provider.commitTurn(cancel.lockToken(), Turn.of(1)
                .events(cancel.messages().get(0).event(), new HistoryEvent.ExecutionCancelled(now(), "stop"))
                .terminal(RuntimeStatus.CANCELLED, cancelled).build());
        try (Raw raw = new Raw(file)) {
            assertThat(raw.string("SELECT status FROM executions WHERE instance_id = 'a'")).isEqualTo("CANCELLED");
            assertThat(raw.count("SELECT completed_at FROM executions WHERE instance_id = 'a'")).isPositive();
            assertThat(raw.count("SELECT history_size FROM executions WHERE instance_id = 'a'")).isEqualTo(4);
            assertThat(raw.string("SELECT group_concat(event_id || ':' || event_type, ',') FROM"
                    + " (SELECT * FROM history WHERE instance_id = 'a' ORDER BY event_id)"))
                    .isEqualTo("1:ExecutionStarted,2:ExecutionSuspended,3:ExecutionCancelRequested,4:ExecutionCancelled");
        }
        assertThat(provider.getInstance("a").orElseThrow().failure()).isEqualTo(ApiFailures.toApi(cancelled));
    }

    @Test
    void continueAsNewClosesTheOldExecutionRow() throws SQLException {
        new ProviderScenarios(provider).continuedAsNewIntoSecondExecution("a");
        try (Raw raw = new Raw(file)) {
            assertThat(raw.string("SELECT status FROM executions WHERE instance_id = 'a' AND execution_id = 1"))
                    .isEqualTo("CONTINUED_AS_NEW");
            assertThat(raw.count("SELECT completed_at FROM executions WHERE instance_id = 'a' AND execution_id = 1"))
                    .isPositive();
            assertThat(raw.string("SELECT status FROM executions WHERE instance_id = 'a' AND execution_id = 2"))
                    .isEqualTo("RUNNING");
            assertThat(raw.count("SELECT count(*) FROM instances")).isEqualTo(1);
            assertThat(raw.count("SELECT count(*) FROM worker_queue")).isZero();
        }
    }

    @Test
    void purgeDeletesTheWholeTreeFromEveryTable() throws SQLException {
        new ProviderScenarios(provider).completedTree();
        provider.createInstance(newInstance("bystander", "Orch"));
        OrchestrationWorkItem late = fetch();
        assertThat(late.instanceId()).isEqualTo("root");

        assertThat(provider.purgeInstance("root")).isEqualTo(3);

        try (Raw raw = new Raw(file)) {
            for (String table : List.of("instances", "executions", "history", "orchestrator_queue", "worker_queue",
                    "instance_locks")) {
                assertThat(raw.count("SELECT count(*) FROM " + table + " WHERE instance_id <> 'bystander'"))
                        .as(table).isZero();
            }
            assertThat(raw.count("SELECT count(*) FROM orchestrator_queue")).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------------ damaged rows

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

    // ------------------------------------------------------------------ lifecycle

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
