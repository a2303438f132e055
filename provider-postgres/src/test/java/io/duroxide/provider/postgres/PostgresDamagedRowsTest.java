package io.duroxide.provider.postgres;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rows the SPI cannot write, written behind it: batch fetches skip them without losing the rest. Messages of an
 * instance that does not exist are dropped; a work item that cannot be read is failed back to its orchestration.
 */
class PostgresDamagedRowsTest {
    @RegisterExtension
    static final PostgresTestDatabase PG = new PostgresTestDatabase();

    private PostgresProvider provider;
    private Connection raw;

    @BeforeEach
    void open() throws SQLException {
        String schema = PG.newSchema("damaged");
        provider = PostgresProvider.open(PostgresTestDatabase.options(schema));
        raw = DriverManager.getConnection(PostgresTestDatabase.url());
        update("SET search_path TO " + schema);
    }

    @AfterEach
    void close() throws SQLException {
        raw.close();
        provider.close();
    }

    /** They hold up no batch, and are dropped once nothing else is ready. */
    @Test
    void aBatchFetchLocksTheInstancesThatExistAndDropsMessagesOfMissingOnes() throws SQLException {
        provider.createInstance(newInstance("real-1", "Orch"));
        update("INSERT INTO orchestrator_queue(instance_id, message_json, visible_at, created_at)"
                + " VALUES ('ghost', '{}', now() - interval '1 hour', now())");
        provider.createInstance(newInstance("real-2", "Orch"));

        List<OrchestrationWorkItem> batch = provider.fetchOrchestrationItems(LONG_LOCK, 5);
        assertThat(batch).extracting(OrchestrationWorkItem::instanceId).containsExactly("real-1", "real-2");
        assertThat(provider.fetchOrchestrationItems(LONG_LOCK, 5)).isEmpty();
        assertThat(count("SELECT count(*) FROM orchestrator_queue WHERE instance_id = 'ghost'")).isZero();
        assertThat(count("SELECT count(*) FROM orchestrator_queue")).isEqualTo(2);
    }

    @Test
    void anUnreadableWorkItemInABatchIsFailedBackAndTheOthersAreLeased() throws SQLException {
        provider.createInstance(newInstance("a", "Orch"));
        OrchestrationWorkItem item = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("a", 1, 5)).activity(workItem("a", 1, 6)).activity(workItem("a", 1, 7)).build());
        update("UPDATE worker_queue SET item_json = '{not json' WHERE task_id = 6");

        List<ActivityLease> leases = provider.fetchActivities(LONG_LOCK, 2);
        assertThat(leases).extracting(l -> l.item().taskId()).containsExactly(5, 7);
        assertThat(leases).extracting(ActivityLease::lockToken).doesNotHaveDuplicates();
        assertThat(count("SELECT count(*) FROM worker_queue WHERE task_id = 6")).isZero();
        OrchestrationWorkItem failure = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
        assertThat(failure.messages()).singleElement().satisfies(m -> assertThat(m.event())
                .isInstanceOfSatisfying(HistoryEvent.ActivityFailed.class, e -> {
                    assertThat(e.taskId()).isEqualTo(6);
                    assertThat(e.failure().kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
                }));
    }

    private void update(String sql) throws SQLException {
        try (Statement s = raw.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
