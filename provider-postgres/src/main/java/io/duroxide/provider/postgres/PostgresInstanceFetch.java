package io.duroxide.provider.postgres;

import io.duroxide.api.InstanceStatus;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.Provider;
import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.JdbcProvider.LockedInstance;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlRows.RawMessage;
import io.duroxide.provider.jdbc.SqlTx;
import io.duroxide.provider.jdbc.StoredForm.HistoryRow;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A fetch of up to N instances as three set-based statements instead of three per instance: pick and row-lock the
 * first N instances with ready messages in {@link Provider#fetchOrchestrationItem}'s order, skipping those other
 * fetchers hold; take their instance locks and mark their visible messages, each instance with its own token; read
 * their histories. Under a backlog a dispatcher with several idle slots then pays for one transaction, not one
 * per instance.
 */
final class PostgresInstanceFetch {
    /**
     * Ready messages read per instance of a batch. The pick walks the queue's rank index message by message, so an
     * instance with several ready messages comes once per message; reading twice as many messages as instances
     * still fills a batch when instances have two. The instances it row-locks beyond the batch are released when
     * the fetch commits.
     */
    private static final int MESSAGES_PER_INSTANCE = 2;
    /**
     * The first N instances in fetch order, row-locked (skipping those other fetchers hold), with their current
     * executions: the ready messages in fetch order (walking the rank index), their instances row-locked, then each
     * instance once, ranked by its first message.
     */
    private static final String PICK_INSTANCES = "WITH ready AS (SELECT q.instance_id, q.fetch_rank, q.visible_at, q.id"
            + " FROM orchestrator_queue q JOIN instances i ON i.instance_id = q.instance_id"
            + " WHERE" + PostgresProvider.READY + FetchRank.MESSAGE_ORDER + " LIMIT ? FOR UPDATE OF i SKIP LOCKED),"
            + " q AS (SELECT DISTINCT ON (instance_id) * FROM ready ORDER BY instance_id, fetch_rank, visible_at, id)"
            + " SELECT i.instance_id, i.orchestration_name,"
            + " i.orchestration_version, i.status, i.current_execution_id, i.input, i.output, i.failure_json,"
            + " i.custom_status, i.parent_instance_id, i.created_at, i.updated_at,"
            + " e.execution_id, e.initiated_by, e.started_at, e.turn_count"
            + " FROM q JOIN instances i ON i.instance_id = q.instance_id"
            + " LEFT JOIN executions e ON e.instance_id = i.instance_id AND e.execution_id = i.current_execution_id"
            + FetchRank.MESSAGE_ORDER + " LIMIT ?";
    /**
     * Takes each instance's lock unless someone else holds an unexpired one (a lock or a put-back hold), and marks
     * its visible messages with its token, counting the delivery: an instance without rows back was not taken. An
     * instance whose messages are gone since the pick's snapshot (consumed by the holder of a lock that had expired)
     * is not locked either, so no lock is left behind without work.
     */
    private static final String TAKE_LOCKS_AND_MARK = "WITH taken AS (INSERT INTO instance_locks(instance_id,"
            + " lock_token, locked_until, locked_at) SELECT w.instance_id, w.lock_token, now() + ?"
            + PostgresDialect.INTERVAL_MS + ", now() FROM unnest(?::text[], ?::text[]) AS w(instance_id, lock_token)"
            + " WHERE EXISTS (SELECT 1 FROM orchestrator_queue q WHERE q.instance_id = w.instance_id"
            + " AND q.visible_at <= now())"
            + " ON CONFLICT (instance_id) DO UPDATE SET lock_token = excluded.lock_token,"
            + " locked_until = excluded.locked_until, locked_at = excluded.locked_at"
            + " WHERE instance_locks.locked_until <= now() RETURNING instance_id, lock_token)"
            + " UPDATE orchestrator_queue q SET lock_token = t.lock_token, attempt_count = q.attempt_count + 1"
            + " FROM taken t WHERE q.instance_id = t.instance_id AND q.visible_at <= now()"
            + " RETURNING q.id, q.execution_id, q.message_json, q.attempt_count, q.instance_id";
    /** The current execution's history of each instance. */
    private static final String HISTORIES = "SELECT h.event_id, h.event_json, h.instance_id FROM history h"
            + " JOIN unnest(?::text[], ?::bigint[]) AS w(instance_id, execution_id)"
            + " ON h.instance_id = w.instance_id AND h.execution_id = w.execution_id"
            + " ORDER BY h.instance_id, h.event_id";

    private PostgresInstanceFetch() {}

    /** An instance the pick row-locked, with its current execution (null if missing from the store). */
    record Picked(InstanceStatus instance, ExecutionRecord execution) {
        String instanceId() {
            return instance.instanceId();
        }
    }

    /** The first {@code max} instances with ready messages nobody else is fetching, row-locked, in fetch order. */
    static List<Picked> pick(SqlTx tx, int max) throws SQLException {
        List<Picked> picked = new ArrayList<>(max);
        try (ResultSet rs = tx.bind(PICK_INSTANCES, (long) max * MESSAGES_PER_INSTANCE, max).executeQuery()) {
            while (rs.next()) {
                picked.add(new Picked(SqlRows.instance(rs, PostgresProvider.class, PostgresDialect.INSTANCE.time()),
                        SqlRows.execution(rs, 13, PostgresDialect.INSTANCE.time())));
            }
        }
        return picked;
    }

    /**
     * Locks the picked instances, each under a token of {@code tokens} (in the same order), and reads their
     * messages and histories. An instance another fetcher locked between the pick and here (the pick's view of the
     * locks is older than its row locks) is left out; the rest keep the pick's order.
     */
    static List<LockedInstance> lock(SqlTx tx, List<Picked> picked, List<String> tokens, long timeoutMs)
            throws SQLException {
        Map<String, List<RawMessage>> messages = takeLocksAndMark(tx, picked, tokens, timeoutMs);
        List<Picked> taken = picked.stream().filter(p -> messages.containsKey(p.instanceId())).toList();
        if (taken.isEmpty()) {
            return List.of();
        }
        Map<String, List<HistoryRow>> histories = histories(tx, taken);
        List<LockedInstance> locked = new ArrayList<>(taken.size());
        for (int n = 0; n < picked.size(); n++) {
            Picked p = picked.get(n);
            List<RawMessage> own = messages.get(p.instanceId());
            if (own != null) {
                own.sort(Comparator.comparingLong(RawMessage::id)); // enqueue order
                locked.add(new LockedInstance(tokens.get(n), p.instance(), p.execution(), own,
                        histories.getOrDefault(p.instanceId(), List.of())));
            }
        }
        return locked;
    }

    /** The messages marked per instance whose lock was taken. */
    private static Map<String, List<RawMessage>> takeLocksAndMark(SqlTx tx, List<Picked> picked, List<String> tokens,
            long timeoutMs) throws SQLException {
        PreparedStatement take = tx.bind(TAKE_LOCKS_AND_MARK, timeoutMs);
        take.setObject(2, PostgresDialect.texts(picked, Picked::instanceId));
        take.setObject(3, PostgresDialect.texts(tokens, Function.identity()));
        Map<String, List<RawMessage>> messages = new HashMap<>();
        try (ResultSet rs = take.executeQuery()) {
            while (rs.next()) {
                messages.computeIfAbsent(rs.getString(5), id -> new ArrayList<>()).add(SqlRows.message(rs, 1));
            }
        }
        return messages;
    }

    private static Map<String, List<HistoryRow>> histories(SqlTx tx, List<Picked> taken) throws SQLException {
        PreparedStatement read = tx.bind(HISTORIES);
        read.setObject(1, PostgresDialect.texts(taken, Picked::instanceId));
        read.setObject(2, PostgresDialect.bigints(taken, p -> p.instance().executionId()));
        Map<String, List<HistoryRow>> histories = new HashMap<>();
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                histories.computeIfAbsent(rs.getString(3), id -> new ArrayList<>())
                        .add(new HistoryRow(rs.getLong(1), rs.getString(2)));
            }
        }
        return histories;
    }
}
