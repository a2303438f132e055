package io.duroxide.provider.sqlite;

import io.duroxide.api.InstanceStatus;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.JdbcProvider;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlRows.RawMessage;
import io.duroxide.provider.jdbc.SqlRows.RawWorkItem;
import io.duroxide.provider.jdbc.SqlTx;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Provider} that keeps everything in one SQLite database file.
 *
 * <p>Zero configuration: {@link #open(Path)} creates the schema on first use, switches the file to
 * WAL mode and opens a small connection pool. Several processes may open the same file; an instance
 * is then still processed by one lock holder at a time, because every fetch takes its lock in a
 * {@code BEGIN IMMEDIATE} transaction. Times are epoch milliseconds of {@link System#currentTimeMillis()}.
 *
 * <p>What it shares with the other SQL stores is in {@link JdbcProvider}, what differs in {@link SqliteDialect};
 * fetching is its own: batches of instances and work items per transaction, after a read-only look when idle.
 */
public final class SqliteProvider extends JdbcProvider {
    private static final System.Logger LOG = System.getLogger(SqliteProvider.class.getName());

    /** The instance whose turn is next, or an orphan message's instance id (which has no row). */
    // "+q.visible_at" keeps the planner off the visible-time index, which would rank every ready message in a
    // temporary B-tree at each pick; the rank index gives them in fetch order and stops at the first ready one.
    private static final String PICK_INSTANCE = "SELECT q.instance_id FROM orchestrator_queue q WHERE +q.visible_at <= ?"
            + " AND NOT EXISTS (SELECT 1 FROM instance_locks l WHERE l.instance_id = q.instance_id AND l.locked_until > ?)"
            + FetchRank.MESSAGE_ORDER + " LIMIT 1";
    /** The instance whose turn is next and its current execution, in one statement. */
    private static final String PICK_INSTANCE_WITH_EXECUTION = "SELECT i.instance_id, i.orchestration_name,"
            + " i.orchestration_version, i.status, i.current_execution_id, i.input, i.output, i.failure_json,"
            + " i.custom_status, i.parent_instance_id, i.created_at, i.updated_at,"
            + " e.execution_id, e.initiated_by, e.started_at, e.turn_count"
            + " FROM instances i LEFT JOIN executions e"
            + " ON e.instance_id = i.instance_id AND e.execution_id = i.current_execution_id"
            + " WHERE i.instance_id = (" + PICK_INSTANCE + ")";
    private static final String UPSERT_LOCK = "INSERT INTO instance_locks(instance_id, lock_token, locked_until,"
            + " locked_at) VALUES (?, ?, ?, ?) ON CONFLICT(instance_id) DO UPDATE SET lock_token = excluded.lock_token,"
            + " locked_until = excluded.locked_until, locked_at = excluded.locked_at";
    private static final String MARK_MESSAGES = "UPDATE orchestrator_queue SET lock_token = ?,"
            + " attempt_count = attempt_count + 1 WHERE instance_id = ? AND visible_at <= ?"
            + " RETURNING id, execution_id, message_json, attempt_count";
    /**
     * Leases up to N ready work items in one statement. Each gets its own token, the fetch's random prefix
     * followed by the row id, so a token names exactly one lease of one row.
     */
    private static final String LEASE_WORK_ITEMS = "UPDATE worker_queue SET lock_token = ? || id, locked_until = ?,"
            + " locked_at = ?, attempt_count = attempt_count + 1 WHERE id IN (SELECT w.id FROM worker_queue w"
            + " WHERE w.visible_at <= ? AND (w.lock_token IS NULL OR w.locked_until <= ?)" + FetchRank.WORK_ITEM_ORDER
            + " LIMIT ?)"
            + " RETURNING id, instance_id, execution_id, task_id, item_json, attempt_count, lock_token";

    private static final String ACTIVITY_READY = "SELECT id FROM worker_queue WHERE visible_at <= ?"
            + " AND (lock_token IS NULL OR locked_until <= ?) LIMIT 1";

    private final SqliteDatabase sqlite;
    /** Whether the last fetch of each queue found nothing; a hint only, races are harmless. */
    private volatile boolean orchestratorIdle = true;
    private volatile boolean activitiesIdle = true;

    private SqliteProvider(SqliteDatabase db) {
        super(db, SqliteDialect.INSTANCE);
        this.sqlite = db;
    }

    /**
     * Opens (creating if needed) the store in {@code file}.
     *
     * @throws ProviderException if the directory does not exist or the file is not a usable SQLite
     *     database; such a file is left unchanged
     */
    public static SqliteProvider open(Path file) {
        return open(file, SqliteDatabase.Settings.DEFAULT);
    }

    static SqliteProvider open(Path file, SqliteDatabase.Settings settings) {
        Objects.requireNonNull(file, "file");
        return new SqliteProvider(SqliteDatabase.open(file, settings));
    }

    /** The database file. */
    public Path file() {
        return sqlite.file();
    }

    @Override
    public String name() {
        return "sqlite";
    }

    /**
     * Write transactions this provider has run on its database so far. Writes that queue while one runs
     * share the next one (group commit), so this is at most the number of writing calls.
     */
    public long writeTransactions() {
        return sqlite.transactions();
    }

    @Override
    public String toString() {
        return "SqliteProvider[" + sqlite.file() + "]";
    }

    // ---------------------------------------------------------------- orchestrator queue

    /** Locks up to {@code max} instances with visible messages in one transaction. */
    @Override
    protected List<OrchestrationWorkItem> lockInstances(String operation, long timeout, int max) {
        // After an empty fetch, look without the write lock first: idle polls then cost one read
        // (WAL readers never wait for writers) instead of a write transaction.
        long now = System.currentTimeMillis();
        if (orchestratorIdle && db.read(operation, tx -> tx.queryString(PICK_INSTANCE, now, now)) == null) {
            return List.of();
        }
        List<LockedInstance> locked = db.write(operation, tx -> {
            List<LockedInstance> instances = new ArrayList<>(max);
            for (LockedInstance next; instances.size() < max && (next = lockNextInstance(tx, timeout)) != null; ) {
                instances.add(next);
            }
            return instances;
        });
        orchestratorIdle = locked.isEmpty();
        return locked.stream().map(LockedInstance::workItem).toList();
    }

    private LockedInstance lockNextInstance(SqlTx tx, long timeout) throws SQLException {
        long now = System.currentTimeMillis();
        for (int skip = 0; skip < MAX_SKIPS_PER_FETCH; skip++) {
            InstanceStatus instance;
            ExecutionRecord execution;
            try (ResultSet rs = tx.bind(PICK_INSTANCE_WITH_EXECUTION, now, now).executeQuery()) {
                if (!rs.next()) {
                    instance = null;
                    execution = null;
                } else {
                    instance = SqlRows.instance(rs, SqliteProvider.class, dialect.time());
                    execution = SqlRows.execution(rs, 13, dialect.time());
                }
            }
            if (instance == null) {
                // Either nothing is ready, or the next ready message belongs to an instance that does not exist.
                String orphan = tx.queryString(PICK_INSTANCE, now, now);
                if (orphan == null) {
                    return null;
                }
                int dropped = tx.update("DELETE FROM orchestrator_queue WHERE instance_id = ?", orphan);
                LOG.log(Level.WARNING, "fetchOrchestrationItem: dropped {0} queued message(s) of instance ''{1}'',"
                        + " which does not exist", dropped, orphan);
                continue;
            }
            String instanceId = instance.instanceId();
            String token = dialect.instanceLockToken(instanceId);
            tx.update(UPSERT_LOCK, instanceId, token, now + timeout, now);
            List<RawMessage> messages;
            try (ResultSet rs = tx.bind(MARK_MESSAGES, token, instanceId, now).executeQuery()) {
                messages = SqlRows.messages(rs);
            }
            // Read inside the transaction, on the writer's warm page cache; parsed after the commit.
            return locked(tx, token, instance, execution, messages);
        }
        return null;
    }

    // ---------------------------------------------------------------- worker queue

    /** Locks up to {@code max} work items in one transaction. */
    @Override
    protected List<ActivityLease> leaseActivities(String operation, long timeout, int max) {
        long now = System.currentTimeMillis();
        if (activitiesIdle && db.read(operation, tx -> tx.queryString(ACTIVITY_READY, now, now)) == null) {
            return List.of();
        }
        // Each round's lease and each unreadable item's failure are transactions of their own; parsing happens
        // after the lease committed, outside the write lock.
        List<ActivityLease> leases = readableLeases(max, n -> leaseRows(operation, timeout, n),
                (row, error) -> failUnreadableWorkItem(operation, row, error));
        activitiesIdle = leases.isEmpty();
        return leases;
    }

    /** Leases the first {@code max} ready work items (in fetchActivity's order) in one transaction, returned by id. */
    private List<RawWorkItem> leaseRows(String operation, long timeout, int max) {
        String prefix = token() + ":";
        return db.write(operation, tx -> {
            long now = System.currentTimeMillis();
            try (ResultSet rs = tx.bind(LEASE_WORK_ITEMS, prefix, now + timeout, now, now, now, max).executeQuery()) {
                return SqlRows.workItems(rs);
            }
        });
    }

    /** Fails an unreadable work item back to its orchestration in a transaction of its own (see the base class). */
    private void failUnreadableWorkItem(String operation, RawWorkItem row, RuntimeException error) {
        try {
            db.write(operation, tx -> failUnreadableWorkItem(tx, row.id(), row.token(), row.instanceId(), row.executionId(),
                    row.taskId(), error));
        } catch (ProviderException e) {
            // the other leases of this fetch are still returned; this one is found again when its lease expires
            LOG.log(Level.WARNING, "fetchActivity: could not fail unreadable work item {0}: {1}", row.id(), e.getMessage());
        }
    }

    @Override
    public void close() {
        sqlite.close();
    }
}
