package io.duroxide.provider.postgres;

import io.duroxide.api.InstanceStatus;
import io.duroxide.json.JsonConverter;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlRows.RawMessage;
import io.duroxide.provider.jdbc.StoredForm.HistoryRow;
import io.duroxide.provider.postgres.PostgresDatabase.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The batch operations of the PostgreSQL provider as set-based statements: a fetch of several instances
 * costs three statements (pick and row-lock them, take their locks and mark their messages, read their
 * histories), not three per instance; a batch of activity results costs two. The dispatchers fetch and
 * complete in batches, so the number of round trips per orchestration falls with the backlog.
 */
final class PostgresBatches {
    private static final JsonConverter JSON = JsonConverter.DEFAULT;
    private static final String MS = " * interval '1 millisecond'";

    /** Up to N instances with ready messages, oldest first, row-locked (skipping those other fetchers hold). */
    private static final String PICK_INSTANCES = "SELECT i.instance_id, i.orchestration_name,"
            + " i.orchestration_version, i.status, i.current_execution_id, i.input, i.output, i.failure_json,"
            + " i.custom_status, i.parent_instance_id, i.created_at, i.updated_at,"
            + " e.execution_id, e.initiated_by, e.started_at, e.turn_count"
            + " FROM instances i LEFT JOIN executions e ON e.instance_id = i.instance_id"
            + " AND e.execution_id = i.current_execution_id"
            + " WHERE i.instance_id IN (SELECT q.instance_id FROM orchestrator_queue q WHERE q.visible_at <= now()"
            + " AND NOT EXISTS (SELECT 1 FROM instance_locks l WHERE l.instance_id = q.instance_id"
            + " AND l.locked_until > now()))"
            + " ORDER BY i.created_at, i.instance_id LIMIT ? FOR UPDATE OF i SKIP LOCKED";
    /** Takes each instance's lock unless someone holds an unexpired one, and marks its visible messages with it. */
    private static final String TAKE_LOCKS_AND_MARK = "WITH wanted AS (SELECT * FROM unnest(?::text[], ?::text[])"
            + " AS w(instance_id, lock_token)), taken AS (INSERT INTO instance_locks(instance_id, lock_token,"
            + " locked_until, locked_at) SELECT instance_id, lock_token, now() + ?" + MS + ", now() FROM wanted"
            + " ON CONFLICT (instance_id) DO UPDATE SET lock_token = excluded.lock_token,"
            + " locked_until = excluded.locked_until, locked_at = excluded.locked_at"
            + " WHERE instance_locks.locked_until <= now() RETURNING instance_id, lock_token)"
            + " UPDATE orchestrator_queue q SET lock_token = t.lock_token, attempt_count = q.attempt_count + 1"
            + " FROM taken t WHERE q.instance_id = t.instance_id AND q.visible_at <= now()"
            + " RETURNING q.id, q.execution_id, q.message_json, q.attempt_count, q.instance_id";
    private static final String HISTORIES = "SELECT h.instance_id, h.event_id, h.event_json FROM history h"
            + " JOIN unnest(?::text[], ?::bigint[]) AS w(instance_id, execution_id)"
            + " ON h.instance_id = w.instance_id AND h.execution_id = w.execution_id ORDER BY h.instance_id, h.event_id";

    /** Up to N ready work items, oldest first, each under a new token. */
    private static final String LEASE_WORK_ITEMS = "UPDATE worker_queue SET lock_token = gen_random_uuid()::text,"
            + " locked_until = now() + ?" + MS + ", locked_at = now(), attempt_count = attempt_count + 1"
            + " WHERE id IN (SELECT id FROM worker_queue WHERE visible_at <= now()"
            + " AND (lock_token IS NULL OR locked_until <= now()) ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)"
            + " RETURNING id, instance_id, execution_id, task_id, item_json, attempt_count, lock_token";
    private static final String DELETE_COMPLETED = "DELETE FROM worker_queue WHERE lock_token = ANY(?) RETURNING lock_token";

    private PostgresBatches() {}

    /** One work item as leased, still serialised: parsing happens in the provider, which deals with unreadable ones. */
    record RawWorkItem(long id, String instanceId, long executionId, int taskId, String json, int attempts, String token) {}

    /** Locks up to {@code max} instances with ready messages; empty when none is ready (or all are taken). */
    static List<PostgresProvider.Locked> lockInstances(Tx tx, long timeoutMs, int max) throws SQLException {
        Map<String, PostgresProvider.Locked> picked = new LinkedHashMap<>();
        try (ResultSet rs = tx.bind(PICK_INSTANCES, max).executeQuery()) {
            while (rs.next()) {
                InstanceStatus instance = SqlRows.instance(rs, PostgresProvider.class, PostgresProvider.TIME);
                ExecutionRecord execution = SqlRows.execution(rs, 13, PostgresProvider.TIME);
                picked.put(instance.instanceId(), new PostgresProvider.Locked(UUID.randomUUID().toString(), instance,
                        execution, new ArrayList<>(), new ArrayList<>()));
            }
        }
        if (picked.isEmpty()) {
            return List.of();
        }
        String[] ids = picked.keySet().toArray(String[]::new);
        String[] tokens = picked.values().stream().map(PostgresProvider.Locked::token).toArray(String[]::new);
        Map<String, List<RawMessage>> messages = new HashMap<>();
        try (ResultSet rs = tx.bind(TAKE_LOCKS_AND_MARK, ids, tokens, timeoutMs).executeQuery()) {
            while (rs.next()) {
                long executionId = rs.getLong(2);
                Long execution = rs.wasNull() ? null : executionId;
                messages.computeIfAbsent(rs.getString(5), k -> new ArrayList<>()).add(new RawMessage(rs.getLong(1),
                        execution, rs.getString(3), rs.getInt(4)));
            }
        }
        // An instance whose lock another fetcher took in the meantime has no messages marked: not ours.
        picked.keySet().retainAll(messages.keySet());
        if (picked.isEmpty()) {
            return List.of();
        }
        String[] lockedIds = picked.keySet().toArray(String[]::new);
        Long[] executions = picked.values().stream().map(l -> l.instance().executionId()).toArray(Long[]::new);
        try (ResultSet rs = tx.bind(HISTORIES, lockedIds, executions).executeQuery()) {
            while (rs.next()) {
                picked.get(rs.getString(1)).history().add(new HistoryRow(rs.getLong(2), rs.getString(3)));
            }
        }
        List<PostgresProvider.Locked> locked = new ArrayList<>(picked.size());
        for (PostgresProvider.Locked l : picked.values()) {
            List<RawMessage> own = messages.get(l.instance().instanceId());
            own.sort(Comparator.comparingLong(RawMessage::id));
            locked.add(new PostgresProvider.Locked(l.token(), l.instance(), l.execution(), own, l.history()));
        }
        return locked;
    }

    /** Leases up to {@code max} ready work items, in queue order. */
    static List<RawWorkItem> leaseWorkItems(Tx tx, long timeoutMs, int max) throws SQLException {
        List<RawWorkItem> items = new ArrayList<>();
        try (ResultSet rs = tx.bind(LEASE_WORK_ITEMS, timeoutMs, max).executeQuery()) {
            while (rs.next()) {
                items.add(new RawWorkItem(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getString(5),
                        rs.getInt(6), rs.getString(7)));
            }
        }
        items.sort(Comparator.comparingLong(RawWorkItem::id));
        return items;
    }

    /**
     * Removes the work items still held by the completions' tokens and enqueues their results; returns the
     * tokens whose work item was no longer held (cancelled or taken over), whose results are dropped.
     */
    static Set<String> completeWorkItems(Tx tx, List<ActivityCompletion> completions, String insertMessage) throws SQLException {
        Set<String> held = new HashSet<>();
        String[] tokens = completions.stream().map(ActivityCompletion::lockToken).toArray(String[]::new);
        try (ResultSet rs = tx.bind(DELETE_COMPLETED, (Object) tokens).executeQuery()) {
            while (rs.next()) {
                held.add(rs.getString(1));
            }
        }
        Set<String> lost = new HashSet<>();
        PreparedStatement insert = tx.bind(insertMessage);
        for (ActivityCompletion c : completions) {
            if (!held.contains(c.lockToken())) {
                lost.add(c.lockToken());
                continue;
            }
            insert.setString(1, c.completion().instanceId());
            insert.setObject(2, c.completion().executionId(), Types.BIGINT);
            insert.setString(3, JSON.toJson(c.completion().event()));
            insert.setObject(4, null, Types.TIMESTAMP_WITH_TIMEZONE);
            insert.addBatch();
        }
        if (held.size() > 0) {
            insert.executeBatch();
        }
        return lost;
    }
}
