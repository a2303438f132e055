package io.duroxide.provider.postgres;

import io.duroxide.api.JsonConverter;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.jdbc.SqlTx;
import io.duroxide.provider.jdbc.StoredForm;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A start as one statement instead of three (instance, execution, start message): a client that starts workflows
 * one after another pays one round trip each. Nothing is written when the id exists.
 */
final class PostgresStart {
    private static final String INSERT_START = "WITH created AS (INSERT INTO instances(instance_id, orchestration_name,"
            + " orchestration_version, status, current_execution_id, input, parent_instance_id, created_at, updated_at)"
            + " VALUES (?, ?, ?, 'PENDING', 1, ?, ?, now(), now()) ON CONFLICT (instance_id) DO NOTHING"
            + " RETURNING instance_id, created_at),"
            + " execution AS (INSERT INTO executions(instance_id, execution_id, status, initiated_by, started_at,"
            + " turn_count, history_size) SELECT instance_id, 1, 'RUNNING', ?, now(), 0, 0 FROM created),"
            // a new instance's start message ranks by the instance's creation (FetchRank), which is now
            + " started AS (INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at,"
            + " attempt_count, created_at, fetch_rank) SELECT instance_id, 1, ?, now(), 0, now(), created_at FROM created)"
            + " SELECT count(*) FROM created";

    private PostgresStart() {}

    /** Writes the instance, its execution 1 and its start message, unless the id exists; whether it did. */
    static boolean insert(SqlTx tx, NewInstance start) throws SQLException {
        HistoryEvent.ExecutionStarted started = start.start();
        try (ResultSet rs = tx.bind(INSERT_START, start.instanceId(), started.name(), started.version(), started.input(),
                StoredForm.parentId(started), StoredForm.initiatedBy(started), JsonConverter.DEFAULT.toJson(started))
                .executeQuery()) {
            rs.next();
            return rs.getLong(1) == 1;
        }
    }
}
