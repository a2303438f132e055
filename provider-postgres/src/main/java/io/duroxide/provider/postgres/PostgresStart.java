package io.duroxide.provider.postgres;

import io.duroxide.api.JsonConverter;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.jdbc.JdbcProvider.LockedInstance;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlTx;
import io.duroxide.provider.jdbc.StoredForm;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * A start as one statement instead of three (instance, execution, start message): a client that starts workflows
 * one after another pays one round trip each. Nothing is written when the id exists. An eager start (the instance
 * locked for its first turn) is one statement too, instead of four.
 */
final class PostgresStart {
    /** The instance and its execution 1; values: id, name, version, input, parent id, initiator. */
    private static final String CREATE = "WITH created AS (INSERT INTO instances(instance_id, orchestration_name,"
            + " orchestration_version, status, current_execution_id, input, parent_instance_id, created_at, updated_at)"
            + " VALUES (?, ?, ?, 'PENDING', 1, ?, ?, now(), now()) ON CONFLICT (instance_id) DO NOTHING"
            + " RETURNING " + SqlRows.INSTANCE_COLUMNS + "),"
            + " execution AS (INSERT INTO executions(instance_id, execution_id, status, initiated_by, started_at,"
            + " turn_count, history_size) SELECT instance_id, 1, 'RUNNING', ?, now(), 0, 0 FROM created"
            + " RETURNING execution_id, initiated_by, started_at, turn_count),";
    // a new instance's start message ranks by the instance's creation (FetchRank), which is now
    private static final String INSERT_START = CREATE
            + " started AS (INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at,"
            + " attempt_count, created_at, fetch_rank) SELECT instance_id, 1, ?, now(), 0, now(), created_at FROM created)"
            + " SELECT count(*) FROM created";
    /**
     * {@link #INSERT_START} with the instance lock taken and the start message delivered once, as a fetch leaves
     * them; returns the instance (columns 1-12), its execution (13-16) and the message (17-20). Values after
     * {@link #CREATE}'s: the token, the lock's milliseconds, the start message, the token.
     */
    private static final String INSERT_START_LOCKED = CREATE
            + " locked AS (INSERT INTO instance_locks(instance_id, lock_token, locked_until, locked_at)"
            + " SELECT instance_id, ?, now() + ?" + PostgresDialect.INTERVAL_MS + ", now() FROM created"
            + " ON CONFLICT (instance_id) DO UPDATE SET lock_token = excluded.lock_token,"
            + " locked_until = excluded.locked_until, locked_at = excluded.locked_at),"
            + " started AS (INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at,"
            + " attempt_count, created_at, fetch_rank, lock_token) SELECT instance_id, 1, ?, now(), 1, now(), created_at, ?"
            + " FROM created RETURNING id, execution_id, message_json, attempt_count)"
            + " SELECT c.*, e.*, s.* FROM created c CROSS JOIN execution e CROSS JOIN started s";

    private PostgresStart() {}

    /** Writes the instance, its execution 1 and its start message, unless the id exists; whether it did. */
    static boolean insert(SqlTx tx, NewInstance start) throws SQLException {
        try (ResultSet rs = tx.bind(INSERT_START, createValues(start, JsonConverter.DEFAULT.toJson(start.start())))
                .executeQuery()) {
            rs.next();
            return rs.getLong(1) == 1;
        }
    }

    /** {@link #insert} with the instance locked under {@code token}: what a fetch of it reads, or null if the id exists. */
    static LockedInstance insertLocked(SqlTx tx, NewInstance start, String token, long timeoutMs) throws SQLException {
        Object[] values = createValues(start, token, timeoutMs, JsonConverter.DEFAULT.toJson(start.start()), token);
        try (ResultSet rs = tx.bind(INSERT_START_LOCKED, values).executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            SqlRows.TimeColumn time = PostgresDialect.INSTANCE.time();
            return new LockedInstance(token, SqlRows.instance(rs, PostgresProvider.class, time),
                    SqlRows.execution(rs, 13, time), List.of(SqlRows.message(rs, 17)), List.of());
        }
    }

    /** {@link #CREATE}'s values followed by {@code more}. */
    private static Object[] createValues(NewInstance start, Object... more) {
        HistoryEvent.ExecutionStarted started = start.start();
        Object[] values = {start.instanceId(), started.name(), started.version(), started.input(),
                StoredForm.parentId(started), StoredForm.initiatedBy(started)};
        Object[] all = Arrays.copyOf(values, values.length + more.length);
        System.arraycopy(more, 0, all, values.length, more.length);
        return all;
    }
}
