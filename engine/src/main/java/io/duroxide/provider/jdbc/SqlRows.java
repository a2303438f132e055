package io.duroxide.provider.jdbc;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.ApiFailures;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.InstanceWork;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.jdbc.StoredForm.HistoryRow;
import java.lang.System.Logger.Level;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reading and checking rows the same way in every SQL provider, which share a table layout
 * ({@code instances}, {@code executions}, {@code history}, the two queues and {@code instance_locks})
 * and differ in SQL dialect and in how they store time.
 */
public final class SqlRows {
    private static final System.Logger LOG = System.getLogger(SqlRows.class.getName());
    private static final JsonConverter JSON = JsonConverter.DEFAULT;

    /** The columns {@link #instance} reads, in its order. */
    public static final String INSTANCE_COLUMNS = "instance_id, orchestration_name, orchestration_version, status,"
            + " current_execution_id, input, output, failure_json, custom_status, parent_instance_id, created_at,"
            + " updated_at";

    private SqlRows() {}

    /** How a provider stores a point in time. */
    @FunctionalInterface
    public interface TimeColumn {
        Instant read(ResultSet rs, int column) throws SQLException;
    }

    /** A queued orchestrator message as a fetch locked it, still serialised. */
    public record RawMessage(long id, Long executionId, String json, int attemptCount) {}

    /** An activity work item as a lease locked it, still serialised. */
    public record RawWorkItem(long id, String instanceId, long executionId, int taskId, String json, int attempts,
            String token) {}

    public static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** A time column that may be NULL, read as {@code time} reads it (SQLite would read NULL as the epoch). */
    static Instant nullableTime(ResultSet rs, int column, TimeColumn time) throws SQLException {
        Instant value = time.read(rs, column);
        return rs.wasNull() ? null : value;
    }

    /** The instance in columns 1..12 ({@link #INSTANCE_COLUMNS}). */
    public static InstanceStatus instance(ResultSet rs, Class<?> provider, TimeColumn time) throws SQLException {
        return new InstanceStatus(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                RuntimeStatus.valueOf(rs.getString(4)),
                rs.getLong(5),
                rs.getString(6),
                rs.getString(7),
                ApiFailures.toApi(StoredForm.failureFrom(provider, rs.getString(1), rs.getString(8))),
                rs.getString(9),
                rs.getString(10),
                time.read(rs, 11),
                time.read(rs, 12));
    }

    /** An execution in columns {@code first}..{@code first + 3}: id, initiated_by, started_at, turn_count; null if absent. */
    public static ExecutionRecord execution(ResultSet rs, int first, TimeColumn time) throws SQLException {
        Long executionId = nullableLong(rs, first);
        if (executionId == null) {
            return null;
        }
        return new ExecutionRecord(executionId, InitiatedBy.valueOf(rs.getString(first + 1)), time.read(rs, first + 2),
                rs.getInt(first + 3));
    }

    /** History rows (event_id, event_json) of one execution, by {@code sql} with the instance and execution as arguments. */
    public static List<HistoryRow> history(SqlTx tx, String sql, String instanceId, long executionId) throws SQLException {
        List<HistoryRow> rows = new ArrayList<>();
        try (ResultSet rs = tx.bind(sql, instanceId, executionId).executeQuery()) {
            while (rs.next()) {
                rows.add(new HistoryRow(rs.getLong(1), rs.getString(2)));
            }
        }
        return rows;
    }

    /** Messages returned by a locking update (id, execution_id, message_json, attempt_count), in queue order. */
    /** A queued message in columns {@code first}..{@code first + 3}: id, execution_id, message_json, attempt_count. */
    public static RawMessage message(ResultSet rs, int first) throws SQLException {
        return new RawMessage(rs.getLong(first), nullableLong(rs, first + 1), rs.getString(first + 2), rs.getInt(first + 3));
    }

    public static List<RawMessage> messages(ResultSet rs) throws SQLException {
        List<RawMessage> messages = new ArrayList<>();
        while (rs.next()) {
            messages.add(message(rs, 1));
        }
        messages.sort(Comparator.comparingLong(RawMessage::id));
        return messages;
    }

    /**
     * Work items returned by a leasing update (id, instance_id, execution_id, task_id, item_json, attempt_count,
     * lock_token), in queue order.
     */
    public static List<RawWorkItem> workItems(ResultSet rs) throws SQLException {
        List<RawWorkItem> items = new ArrayList<>();
        while (rs.next()) {
            items.add(new RawWorkItem(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getString(5),
                    rs.getInt(6), rs.getString(7)));
        }
        items.sort(Comparator.comparingLong(RawWorkItem::id));
        return items;
    }

    /**
     * The work item of a fetch, parsed after its transaction committed. Unreadable messages, history or
     * a missing execution become the item's {@code historyError} (the runtime fails the instance)
     * instead of an exception that would leave the instance stuck.
     */
    public static OrchestrationWorkItem workItem(String token, InstanceStatus instance, ExecutionRecord execution,
            List<RawMessage> raw, List<HistoryRow> rows) {
        List<String> errors = new ArrayList<>();
        if (execution == null) {
            errors.add("execution " + instance.executionId() + " of instance '" + instance.instanceId()
                    + "' is missing from the store");
            execution = new ExecutionRecord(instance.executionId(), InitiatedBy.CLIENT, instance.createdAt(), 0);
        }
        List<OrchestratorMessage> messages = new ArrayList<>(raw.size());
        int attemptCount = 0;
        for (RawMessage m : raw) {
            attemptCount = Math.max(attemptCount, m.attemptCount());
            try {
                messages.add(new OrchestratorMessage(instance.instanceId(), m.executionId(),
                        JSON.fromJson(m.json(), HistoryEvent.class)));
            } catch (RuntimeException e) {
                errors.add("queued message " + m.id() + " of instance '" + instance.instanceId()
                        + "' cannot be read: " + e.getMessage());
            }
        }
        List<HistoryEvent> history = StoredForm.parseHistory(instance.instanceId(), instance.executionId(), rows, errors);
        String historyError = errors.isEmpty() ? null : String.join("; ", errors);
        if (historyError != null) {
            LOG.log(Level.WARNING, "fetchOrchestrationItem: {0}", historyError);
            history = List.of();
        }
        return new OrchestrationWorkItem(token, instance, execution, history, List.copyOf(messages), attemptCount,
                historyError);
    }

    /**
     * The ids of an instance and its sub-orchestrations from {@code treeSql} (rows: instance_id, status),
     * all of which must be terminal to be purged.
     *
     * @throws IllegalStateException naming the first one that is not
     */
    public static List<String> terminalTree(SqlTx tx, String treeSql, String instanceId) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = tx.bind(treeSql, instanceId).executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                RuntimeStatus status = RuntimeStatus.valueOf(rs.getString(2));
                if (!status.isTerminal()) {
                    throw new IllegalStateException(id.equals(instanceId)
                            ? "cannot purge instance '" + id + "': it is " + status
                            : "cannot purge instance '" + instanceId + "': its sub-orchestration '" + id + "' is "
                                    + status);
                }
                ids.add(id);
            }
        }
        return ids;
    }

    /** Deletes executions (and their history) older than the last {@code keepLast}; see Provider#pruneExecutions. */
    public static int pruneExecutions(SqlTx tx, String instanceId, int keepLast) throws SQLException {
        String current = tx.queryString("SELECT current_execution_id FROM instances WHERE instance_id = ?", instanceId);
        if (current == null) {
            throw new io.duroxide.api.InstanceNotFoundException(instanceId);
        }
        long below = Long.parseLong(current) - keepLast + 1;
        tx.update("DELETE FROM history WHERE instance_id = ? AND execution_id < ?", instanceId, below);
        return tx.update("DELETE FROM executions WHERE instance_id = ? AND execution_id < ?", instanceId, below);
    }

    /**
     * Non-terminal instances per orchestration and state. {@code now} is the SQL for the current time
     * (a parameter or a function), used twice.
     */
    public static String activeInstancesSql(String now) {
        return "SELECT orchestration_name, state, count(*) FROM (SELECT i.orchestration_name,"
                + " CASE WHEN i.status = 'SUSPENDED' THEN 'suspended'"
                + " WHEN i.status = 'PENDING' THEN 'pending'"
                + " WHEN EXISTS (SELECT 1 FROM orchestrator_queue q WHERE q.instance_id = i.instance_id"
                + " AND q.visible_at <= " + now + ")"
                + " OR EXISTS (SELECT 1 FROM instance_locks l WHERE l.instance_id = i.instance_id"
                + " AND l.locked_until > " + now + ")"
                + " OR EXISTS (SELECT 1 FROM worker_queue w WHERE w.instance_id = i.instance_id)"
                + " THEN 'running' ELSE 'waiting' END AS state"
                + " FROM instances i WHERE i.status IN ('PENDING', 'RUNNING', 'SUSPENDED')) active"
                + " GROUP BY orchestration_name, state ORDER BY orchestration_name, state";
    }

    public static List<ActiveInstanceCount> activeInstances(ResultSet rs) throws SQLException {
        List<ActiveInstanceCount> result = new ArrayList<>();
        while (rs.next()) {
            result.add(new ActiveInstanceCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
        return List.copyOf(result);
    }

    /**
     * Appends a turn's events after the {@code historySize - events.size()} already stored, with
     * {@code sql} inserting (instance_id, execution_id, event_id, event_type, event_json).
     */
    public static void appendHistory(SqlTx tx, String sql, String instanceId, long executionId, long historySize,
            List<HistoryEvent> events, List<String> json) throws SQLException {
        if (json.isEmpty()) {
            return;
        }
        long eventId = historySize - json.size();
        java.sql.PreparedStatement p = tx.bind(sql);
        for (int i = 0; i < json.size(); i++) {
            p.setString(1, instanceId);
            p.setLong(2, executionId);
            p.setLong(3, ++eventId);
            p.setString(4, events.get(i).getClass().getSimpleName());
            p.setString(5, json.get(i));
            p.addBatch();
        }
        p.executeBatch();
    }

    /** The instance row, or null. */
    public static InstanceStatus instanceById(SqlTx tx, String instanceId, Class<?> provider, TimeColumn time)
            throws SQLException {
        try (ResultSet rs = tx.bind("SELECT " + INSTANCE_COLUMNS + " FROM instances WHERE instance_id = ?", instanceId)
                .executeQuery()) {
            return rs.next() ? instance(rs, provider, time) : null;
        }
    }

    /** The execution row, or null. */
    public static ExecutionRecord executionById(SqlTx tx, String instanceId, long executionId, TimeColumn time)
            throws SQLException {
        try (ResultSet rs = tx.bind("SELECT execution_id, initiated_by, started_at, turn_count FROM executions"
                + " WHERE instance_id = ? AND execution_id = ?", instanceId, executionId).executeQuery()) {
            return rs.next() ? execution(rs, 1, time) : null;
        }
    }

    /** Runs an update that must touch the row(s) held by the token; none means the lock was lost. */
    public static Void updateHeldLock(SqlTx tx, String operation, String lockToken, String sql, Object... args)
            throws SQLException {
        if (tx.update(sql, args) == 0) {
            throw StoredForm.lockLost(operation, lockToken);
        }
        return null;
    }

    /**
     * {@code Provider#instanceWork} from two queries: work items (item_json, visible_at, locked_until if held,
     * attempt_count, ready items ahead) and messages (message_json, visible_at), both already bound.
     */
    public static InstanceWork instanceWork(String instanceId, java.sql.PreparedStatement activities,
            java.sql.PreparedStatement messages, TimeColumn time) throws SQLException {
        List<InstanceWork.QueuedActivity> queued = new ArrayList<>();
        try (ResultSet rs = activities.executeQuery()) {
            while (rs.next()) {
                ActivityWorkItem item = readable(instanceId, rs.getString(1), ActivityWorkItem.class);
                if (item != null) {
                    queued.add(new InstanceWork.QueuedActivity(item, time.read(rs, 2), nullableTime(rs, 3, time), rs.getInt(4),
                            rs.getLong(5)));
                }
            }
        }
        List<InstanceWork.QueuedMessage> pending = new ArrayList<>();
        try (ResultSet rs = messages.executeQuery()) {
            while (rs.next()) {
                HistoryEvent event = readable(instanceId, rs.getString(1), HistoryEvent.class);
                if (event != null) {
                    pending.add(new InstanceWork.QueuedMessage(event, time.read(rs, 2)));
                }
            }
        }
        return new InstanceWork(queued, pending);
    }

    /** A queued row's JSON as {@code type}, or null (logged) when it cannot be read. */
    private static <T> T readable(String instanceId, String json, Class<T> type) {
        try {
            return JSON.fromJson(json, type);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "instanceWork ''{0}'': a queued {1} cannot be read: {2}", instanceId,
                    type.getSimpleName(), e.getMessage());
            return null;
        }
    }

    /** A listing query: its SQL and arguments. */
    public record Listing(String sql, Object[] args) {}

    /** The query for {@code Provider#listInstances}: filters, then a page ordered by instance id. */
    public static Listing listing(io.duroxide.api.InstanceQuery query) {
        io.duroxide.api.InstanceQuery q = query == null ? io.duroxide.api.InstanceQuery.all() : query;
        StringBuilder sql = new StringBuilder("SELECT ").append(INSTANCE_COLUMNS).append(" FROM instances WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (!q.statuses().isEmpty()) {
            sql.append(" AND status IN (");
            String separator = "";
            for (RuntimeStatus s : RuntimeStatus.values()) { // a fixed order keeps statement caches small
                if (q.statuses().contains(s)) {
                    sql.append(separator).append('?');
                    separator = ", ";
                    args.add(s.name());
                }
            }
            sql.append(')');
        }
        if (q.name() != null) {
            sql.append(" AND orchestration_name = ?");
            args.add(q.name());
        }
        if (q.afterInstanceId() != null) {
            sql.append(" AND instance_id > ?");
            args.add(q.afterInstanceId());
        }
        sql.append(" ORDER BY instance_id LIMIT ?");
        args.add(q.limit());
        return new Listing(sql.toString(), args.toArray());
    }

    /** Instances from a query selecting {@link #INSTANCE_COLUMNS}. */
    public static List<InstanceStatus> instances(ResultSet rs, Class<?> provider, TimeColumn time) throws SQLException {
        List<InstanceStatus> result = new ArrayList<>();
        while (rs.next()) {
            result.add(instance(rs, provider, time));
        }
        return List.copyOf(result);
    }
}
