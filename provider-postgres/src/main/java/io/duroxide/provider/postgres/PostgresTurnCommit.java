package io.duroxide.provider.postgres;

import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.TurnWrite;
import io.duroxide.provider.jdbc.StoredForm;
import io.duroxide.provider.jdbc.StoredForm.TurnJson;
import io.duroxide.provider.postgres.PostgresDatabase.Tx;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * A turn's commit as one statement: data-modifying CTEs release the lock (after row-locking the instance, the
 * order fetches lock in, so a commit and a fetch taking over an expired lock cannot deadlock), delete the
 * consumed messages, update the execution and instance, append the history, enqueue activities and messages,
 * and clear the instance's work items when the execution ended. One round trip instead of one per table; the
 * transaction around it stays the unit of atomicity and of the retry after a serialization failure. Every
 * step hangs off the released lock, so a lost lock changes nothing and returns no row.
 */
final class PostgresTurnCommit {
    private static final String COMMIT_TURN = "WITH held AS (SELECT instance_id FROM instances WHERE instance_id ="
            + " (SELECT instance_id FROM instance_locks WHERE lock_token = ?) FOR UPDATE),"
            + " released AS (DELETE FROM instance_locks l USING held h WHERE l.instance_id = h.instance_id"
            + " AND l.lock_token = ? RETURNING l.instance_id),"
            + " consumed AS (DELETE FROM orchestrator_queue q USING released r WHERE q.instance_id = r.instance_id"
            + " AND q.lock_token = ?),"
            + " execution AS (UPDATE executions e SET turn_count = turn_count + 1, history_size = history_size + ?,"
            + " status = ?, completed_at = CASE WHEN ? THEN now() ELSE completed_at END FROM released r"
            + " WHERE e.instance_id = r.instance_id AND e.execution_id = ? RETURNING e.history_size),"
            + " appended AS (INSERT INTO history(instance_id, execution_id, event_id, event_type, event_json)"
            + " SELECT r.instance_id, ?, x.history_size - ? + h.n, h.event_type, h.event_json FROM released r, execution x,"
            + " unnest(?::text[], ?::text[]) WITH ORDINALITY AS h(event_type, event_json, n)),"
            + " instance AS (UPDATE instances i SET status = ?, orchestration_name = coalesce(?, orchestration_name),"
            + " orchestration_version = coalesce(?, orchestration_version), output = ?, failure_json = ?,"
            + " custom_status = CASE WHEN ? THEN ? ELSE custom_status END,"
            + " current_execution_id = coalesce(?::bigint, current_execution_id), updated_at = now()"
            + " FROM released r WHERE i.instance_id = r.instance_id),"
            + " work AS (INSERT INTO worker_queue(instance_id, execution_id, task_id, item_json, visible_at, attempt_count,"
            + " created_at) SELECT w.instance_id, w.execution_id, w.task_id, w.item_json, now(), 0, now() FROM released r,"
            + " unnest(?::text[], ?::bigint[], ?::integer[], ?::text[]) WITH ORDINALITY"
            + " AS w(instance_id, execution_id, task_id, item_json, n) WHERE NOT ? ORDER BY w.n),"
            + " sent AS (INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at, attempt_count,"
            + " created_at) SELECT m.instance_id, m.execution_id, m.message_json,"
            + " coalesce(to_timestamp(m.visible_ms / 1000.0), now()), 0, now() FROM released r,"
            + " unnest(?::text[], ?::bigint[], ?::text[], ?::bigint[]) WITH ORDINALITY"
            + " AS m(instance_id, execution_id, message_json, visible_ms, n) ORDER BY m.n),"
            + " cleared AS (DELETE FROM worker_queue w USING released r WHERE ? AND w.instance_id = r.instance_id)"
            + " SELECT r.instance_id, x.history_size FROM released r LEFT JOIN execution x ON true";

    private PostgresTurnCommit() {}

    /**
     * Writes the turn in one statement; returns the instance id. Throws {@link io.duroxide.provider.LockLostException}
     * if the token no longer holds the lock, and a {@link ProviderException} if the execution does not exist (the
     * caller's transaction then rolls back whatever the statement did).
     */
    static String write(Tx tx, String lockToken, TurnWrite write, TurnJson json) throws SQLException {
        Connection c = tx.connection();
        List<ActivityWorkItem> activities = write.activities();
        List<TimedMessage> messages = write.messages();
        PreparedStatement p = tx.bind(COMMIT_TURN);
        int i = 0;
        p.setString(++i, lockToken);
        p.setString(++i, lockToken);
        p.setString(++i, lockToken);
        p.setInt(++i, write.newEvents().size());
        p.setString(++i, StoredForm.executionStatus(write));
        p.setBoolean(++i, write.terminal());
        p.setLong(++i, write.executionId());
        p.setLong(++i, write.executionId());
        p.setInt(++i, write.newEvents().size());
        p.setArray(++i, text(c, write.newEvents().stream().map(e -> e.getClass().getSimpleName()).toArray(String[]::new)));
        p.setArray(++i, text(c, json.events().toArray(String[]::new)));
        p.setString(++i, write.status().name());
        p.setString(++i, write.name());
        p.setString(++i, write.version());
        p.setString(++i, write.output());
        p.setString(++i, json.failure());
        p.setBoolean(++i, write.customStatusChanged());
        p.setString(++i, write.customStatus());
        p.setObject(++i, write.continueAsNewExecutionId(), java.sql.Types.BIGINT);
        p.setArray(++i, text(c, activities.stream().map(ActivityWorkItem::instanceId).toArray(String[]::new)));
        p.setArray(++i, c.createArrayOf("bigint", activities.stream().map(ActivityWorkItem::executionId).toArray(Long[]::new)));
        p.setArray(++i, c.createArrayOf("integer", activities.stream().map(ActivityWorkItem::taskId).toArray(Integer[]::new)));
        p.setArray(++i, text(c, json.activities().toArray(String[]::new)));
        p.setBoolean(++i, write.terminal()); // an ended execution keeps no activity work, not even this turn's
        p.setArray(++i, text(c, messages.stream().map(m -> m.message().instanceId()).toArray(String[]::new)));
        p.setArray(++i, c.createArrayOf("bigint", messages.stream().map(m -> m.message().executionId()).toArray(Long[]::new)));
        p.setArray(++i, text(c, json.messages().toArray(String[]::new)));
        p.setArray(++i, c.createArrayOf("bigint", messages.stream()
                .map(m -> m.visibleAt() == null ? null : m.visibleAt().toEpochMilli()).toArray(Long[]::new)));
        p.setBoolean(++i, write.terminal());
        try (ResultSet rs = p.executeQuery()) {
            if (!rs.next()) {
                throw StoredForm.lockLost("commitTurn", lockToken);
            }
            String instanceId = rs.getString(1);
            rs.getLong(2);
            if (rs.wasNull()) {
                throw new ProviderException("commitTurn", "execution " + write.executionId() + " of instance '"
                        + instanceId + "' does not exist", false, null);
            }
            return instanceId;
        }
    }

    private static Array text(Connection c, String[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }
}
