package io.duroxide.provider.postgres;

import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.TurnWrite;
import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.SqlTx;
import io.duroxide.provider.jdbc.StoredForm;
import io.duroxide.provider.jdbc.StoredForm.TurnJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The bulk of a turn's write as one statement of data-modifying CTEs, instead of one round trip per table: it
 * deletes the consumed messages, updates execution and instance, appends the history, queues activities, timers
 * and messages, and clears the instance's work items when the execution ended. It runs after the statement that
 * released the instance's lock (and row-locked the instance) in the same transaction, which stays the unit of
 * atomicity and of the retry after a serialization failure.
 *
 * <p>The lock release stays a statement of its own: with it as one more CTE, the whole commit read the snapshot
 * taken before the release waited for the instance's row lock, and the validation suite's concurrent-fetchers
 * test stalled in 3 of 8 runs (the mechanism was not pinned down; with the release apart, 0 of 9).
 *
 * <p>It runs on a generic plan, planned once per connection: the release sets {@code plan_cache_mode} for the
 * transaction ({@link PostgresDialect#releaseInstanceLock}), since PostgreSQL would otherwise plan it at every
 * execution.
 *
 * <p>All CTEs see one snapshot, so the cleanup of an ended execution cannot see the work items the same statement
 * queues: those are not queued at all when the execution ends.
 */
final class PostgresTurnCommit {
    /** A message without a time is visible now; one with a time keeps it to the microsecond, as a bound time does. */
    private static final String VISIBLE_AT = "coalesce(timestamptz 'epoch' + m.visible_us * interval '1 microsecond', now())";
    private static final String COMMIT_TURN = "WITH turn AS (SELECT CAST(? AS TEXT) AS instance_id),"
            + " consumed AS (DELETE FROM orchestrator_queue q USING turn r WHERE q.instance_id = r.instance_id"
            + " AND q.lock_token = ?),"
            + " execution AS (UPDATE executions e SET turn_count = turn_count + 1, history_size = history_size + ?,"
            + " status = ?, completed_at = CASE WHEN ? THEN now() ELSE completed_at END FROM turn r"
            + " WHERE e.instance_id = r.instance_id AND e.execution_id = ? RETURNING e.history_size),"
            // event ids continue the execution's history: its new size minus the new events, plus their ordinal
            + " appended AS (INSERT INTO history(instance_id, execution_id, event_id, event_type, event_json)"
            + " SELECT r.instance_id, ?, x.history_size - ? + h.n, h.event_type, h.event_json FROM turn r, execution x,"
            + " unnest(?::text[], ?::text[]) WITH ORDINALITY AS h(event_type, event_json, n)),"
            + " instance AS (UPDATE instances i SET status = ?, orchestration_name = coalesce(?, orchestration_name),"
            + " orchestration_version = coalesce(?, orchestration_version), output = ?, failure_json = ?,"
            + " custom_status = CASE WHEN ? THEN ? ELSE custom_status END,"
            + " current_execution_id = coalesce(?::bigint, current_execution_id), updated_at = now()"
            + " FROM turn r WHERE i.instance_id = r.instance_id),"
            + " work AS (INSERT INTO worker_queue(instance_id, execution_id, task_id, item_json, visible_at,"
            + " attempt_count, created_at, fetch_rank) SELECT w.instance_id, w.execution_id, w.task_id, w.item_json, now(), 0,"
            + " now(), " + FetchRank.of(PostgresDialect.INSTANCE, "w.instance_id", "now()")
            + " FROM turn r, unnest(?::text[], ?::bigint[], ?::integer[], ?::text[]) WITH ORDINALITY"
            + " AS w(instance_id, execution_id, task_id, item_json, n) WHERE NOT ? ORDER BY w.n),"
            + " sent AS (INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at,"
            + " attempt_count, created_at, fetch_rank) SELECT m.instance_id, m.execution_id, m.message_json, " + VISIBLE_AT
            + ", 0, now(), " + FetchRank.of(PostgresDialect.INSTANCE, "m.instance_id", VISIBLE_AT)
            + " FROM turn r, unnest(?::text[], ?::bigint[], ?::text[], ?::bigint[]) WITH ORDINALITY"
            + " AS m(instance_id, execution_id, message_json, visible_us, n) ORDER BY m.n),"
            + " cleared AS (DELETE FROM worker_queue w USING turn r WHERE ? AND w.instance_id = r.instance_id)"
            + " SELECT history_size FROM execution";

    private PostgresTurnCommit() {}

    /**
     * Writes the turn of the instance whose lock {@code lockToken} held, in the caller's transaction, after the
     * release. Throws a {@link ProviderException} if the execution does not exist (the caller's transaction then
     * rolls back what the statement did).
     */
    static void write(SqlTx tx, String instanceId, String lockToken, TurnWrite write, TurnJson json)
            throws SQLException {
        List<ActivityWorkItem> activities = write.activities();
        List<TimedMessage> messages = write.messages();
        int events = write.newEvents().size();
        PreparedStatement p = tx.bind(COMMIT_TURN);
        int i = 0;
        p.setString(++i, instanceId);
        p.setString(++i, lockToken);
        p.setInt(++i, events);
        p.setString(++i, StoredForm.executionStatus(write));
        p.setBoolean(++i, write.terminal());
        p.setLong(++i, write.executionId());
        p.setLong(++i, write.executionId());
        p.setInt(++i, events);
        p.setObject(++i, PostgresDialect.texts(write.newEvents(), e -> e.getClass().getSimpleName()));
        p.setObject(++i, PostgresDialect.texts(json.events(), Function.identity()));
        p.setString(++i, write.status().name());
        p.setString(++i, write.name());
        p.setString(++i, write.version());
        p.setString(++i, write.output());
        p.setString(++i, json.failure());
        p.setBoolean(++i, write.customStatusChanged());
        p.setString(++i, write.customStatus());
        p.setObject(++i, write.continueAsNewExecutionId(), Types.BIGINT);
        p.setObject(++i, PostgresDialect.texts(activities, ActivityWorkItem::instanceId));
        p.setObject(++i, PostgresDialect.bigints(activities, ActivityWorkItem::executionId));
        p.setObject(++i, PostgresDialect.integers(activities, ActivityWorkItem::taskId));
        p.setObject(++i, PostgresDialect.texts(json.activities(), Function.identity()));
        p.setBoolean(++i, write.terminal()); // an ended execution keeps no activity work, not even this turn's
        p.setObject(++i, PostgresDialect.texts(messages, m -> m.message().instanceId()));
        p.setObject(++i, PostgresDialect.bigints(messages, m -> m.message().executionId()));
        p.setObject(++i, PostgresDialect.texts(json.messages(), Function.identity()));
        p.setObject(++i, PostgresDialect.bigints(messages, m -> micros(m.visibleAt())));
        p.setBoolean(++i, write.terminal());
        try (ResultSet rs = p.executeQuery()) {
            if (!rs.next()) {
                throw new ProviderException("commitTurn", "execution " + write.executionId() + " of instance '"
                        + instanceId + "' does not exist", false, null);
            }
        }
    }

    /** Microseconds since the epoch, rounded like PostgreSQL rounds a bound time; null stays null. */
    private static Long micros(Instant t) {
        return t == null ? null : Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L),
                (t.getNano() + 500L) / 1000L);
    }
}
