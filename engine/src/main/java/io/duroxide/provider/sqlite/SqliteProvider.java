package io.duroxide.provider.sqlite;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.json.JsonConverter;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.LockedWork;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.TurnWrite;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlRows.RawMessage;
import io.duroxide.provider.jdbc.StoredForm;
import io.duroxide.provider.jdbc.StoredForm.HistoryRow;
import io.duroxide.provider.jdbc.StoredForm.TurnJson;
import io.duroxide.provider.sqlite.SqliteDatabase.Tx;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A {@link Provider} that keeps everything in one SQLite database file.
 *
 * <p>Zero configuration: {@link #open(Path)} creates the schema on first use, switches the file to
 * WAL mode and opens a small connection pool. Several processes may open the same file; an instance
 * is then still processed by one lock holder at a time, because every fetch takes its lock in a
 * {@code BEGIN IMMEDIATE} transaction. Times are epoch milliseconds of {@link System#currentTimeMillis()}.
 */
public final class SqliteProvider implements Provider {
    private static final System.Logger LOG = System.getLogger(SqliteProvider.class.getName());
    private static final JsonConverter JSON = JsonConverter.DEFAULT;

    /** Orphans (messages of deleted instances) removed by one fetch before it gives up for this poll. */
    private static final int MAX_SKIPS_PER_FETCH = 16;

    private static final SqlRows.TimeColumn TIME = (rs, column) -> Instant.ofEpochMilli(rs.getLong(column));

    private static final String INSERT_INSTANCE = "INSERT INTO instances(instance_id, orchestration_name,"
            + " orchestration_version, status, current_execution_id, input, parent_instance_id, created_at, updated_at)"
            + " VALUES (?, ?, ?, 'PENDING', 1, ?, ?, ?, ?) ON CONFLICT(instance_id) DO NOTHING";
    private static final String INSERT_EXECUTION = "INSERT INTO executions(instance_id, execution_id, status,"
            + " initiated_by, started_at, turn_count, history_size) VALUES (?, ?, 'RUNNING', ?, ?, 0, 0)";
    private static final String INSERT_MESSAGE = "INSERT INTO orchestrator_queue(instance_id, execution_id,"
            + " message_json, visible_at, attempt_count, created_at) VALUES (?, ?, ?, ?, 0, ?)";

    /**
     * The instance with ready messages that was created first (messages of an instance that does not exist
     * first of all, to be dropped): under a burst, instances that have started finish before newer ones take
     * their turns, and a new instance waits only for older ones that have work ready, which all end.
     */
    private static final String PICK_INSTANCE = "SELECT q.instance_id FROM orchestrator_queue q"
            + " LEFT JOIN instances i ON i.instance_id = q.instance_id WHERE q.visible_at <= ?"
            + " AND NOT EXISTS (SELECT 1 FROM instance_locks l WHERE l.instance_id = q.instance_id AND l.locked_until > ?)"
            + " ORDER BY i.created_at, q.visible_at, q.id LIMIT 1";
    /** The instance and current execution of the instance {@link #PICK_INSTANCE} picks, in one statement. */
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
    private static final String SELECT_HISTORY = "SELECT event_id, event_json FROM history"
            + " WHERE instance_id = ? AND execution_id = ? ORDER BY event_id";

    private static final String RELEASE_LOCK = "DELETE FROM instance_locks WHERE instance_id = ? AND lock_token = ?";
    /** Passes the lock to a token nobody holds until the given time: the instance is held back until then. */
    private static final String HOLD_LOCK = "UPDATE instance_locks SET lock_token = ?, locked_until = ?"
            + " WHERE instance_id = ? AND lock_token = ?";
    private static final String UPDATE_EXECUTION = "UPDATE executions SET turn_count = turn_count + 1,"
            + " history_size = history_size + ?, status = ?, completed_at = coalesce(?, completed_at)"
            + " WHERE instance_id = ? AND execution_id = ? RETURNING history_size";
    private static final String INSERT_HISTORY = "INSERT INTO history(instance_id, execution_id, event_id, event_type,"
            + " event_json) VALUES (?, ?, ?, ?, ?)";
    private static final String UPDATE_INSTANCE = "UPDATE instances SET status = ?,"
            + " orchestration_name = coalesce(?, orchestration_name),"
            + " orchestration_version = coalesce(?, orchestration_version), output = ?, failure_json = ?,"
            + " custom_status = CASE WHEN ? THEN ? ELSE custom_status END,"
            + " current_execution_id = coalesce(?, current_execution_id), updated_at = ? WHERE instance_id = ?";
    private static final String INSERT_WORK_ITEM = "INSERT INTO worker_queue(instance_id, execution_id, task_id,"
            + " item_json, visible_at, attempt_count, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)";

    /**
     * Leases up to N ready work items in one statement. Each gets its own token, the fetch's random prefix
     * followed by the row id, so a token names exactly one lease of one row.
     */
    private static final String LEASE_WORK_ITEMS = "UPDATE worker_queue SET lock_token = ? || id, locked_until = ?,"
            + " locked_at = ?,"
            + " attempt_count = attempt_count + 1 WHERE id IN (SELECT id FROM worker_queue WHERE visible_at <= ?"
            + " AND (lock_token IS NULL OR locked_until <= ?) ORDER BY id LIMIT ?)"
            + " RETURNING id, instance_id, execution_id, task_id, item_json, attempt_count, lock_token";

    private static final String ACTIVITY_READY = "SELECT id FROM worker_queue WHERE visible_at <= ?"
            + " AND (lock_token IS NULL OR locked_until <= ?) LIMIT 1";

    private static final String TREE = "WITH RECURSIVE tree(id) AS (SELECT instance_id FROM instances"
            + " WHERE instance_id = ? UNION SELECT i.instance_id FROM instances i JOIN tree t"
            + " ON i.parent_instance_id = t.id) SELECT i.instance_id, i.status FROM tree"
            + " JOIN instances i ON i.instance_id = tree.id";
    private static final String ACTIVE_INSTANCES = SqlRows.activeInstancesSql("?");
    /**
     * The complement of {@link #queueDepths} among due work (?1 is now): visible messages of
     * instances under an unexpired lock, and unexpired work item leases, each with the age of the oldest lock.
     */
    private static final String LOCKED_WORK = "WITH held AS (SELECT instance_id, locked_at FROM instance_locks"
            + " WHERE locked_until > ?1), leased AS (SELECT locked_at FROM worker_queue WHERE lock_token IS NOT NULL"
            + " AND locked_until > ?1) SELECT"
            + " (SELECT count(*) FROM orchestrator_queue q JOIN held h ON h.instance_id = q.instance_id"
            + " WHERE q.visible_at <= ?1),"
            + " coalesce((SELECT ?1 - min(coalesce(locked_at, ?1)) FROM held), 0),"
            + " (SELECT count(*) FROM leased),"
            + " coalesce((SELECT ?1 - min(coalesce(locked_at, ?1)) FROM leased), 0)";
    private static final List<String> PURGED_TABLES =
            List.of("history", "executions", "orchestrator_queue", "worker_queue", "instance_locks", "instances");

    private final SqliteDatabase db;
    /** Whether the last fetch of each queue found nothing; a hint only, races are harmless. */
    private volatile boolean orchestratorIdle = true;
    private volatile boolean activitiesIdle = true;

    private SqliteProvider(SqliteDatabase db) {
        this.db = db;
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
        return db.file();
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
        return db.transactions();
    }

    @Override
    public String toString() {
        return "SqliteProvider[" + db.file() + "]";
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private static long millis(Duration d) {
        return d == null || d.isNegative() ? 0 : d.toMillis();
    }

    private static String token() {
        return UUID.randomUUID().toString();
    }

    /**
     * Lock tokens name the row they lock after a random part of fixed length ({@code <uuid>:<instance id>},
     * {@code <uuid>:<work item id>}), so a held lock is found through the table's key and the lock tokens
     * need no index of their own: one index less to update on every fetch and every commit.
     */
    private static final int TOKEN_KEY_START = 37;

    private static String instanceLockToken(String instanceId) {
        return token() + ":" + instanceId;
    }

    /** The instance an instance lock token names, or null for a token this provider did not issue. */
    private static String lockedInstance(String lockToken) {
        return lockToken.length() > TOKEN_KEY_START && lockToken.charAt(TOKEN_KEY_START - 1) == ':'
                ? lockToken.substring(TOKEN_KEY_START) : null;
    }

    /** The work item an activity lease token names, or -1 for a token this provider did not issue. */
    private static long leasedWorkItem(String lockToken) {
        if (lockToken.length() <= TOKEN_KEY_START || lockToken.charAt(TOKEN_KEY_START - 1) != ':') {
            return -1;
        }
        try {
            return Long.parseLong(lockToken, TOKEN_KEY_START, lockToken.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- client writes

    @Override
    public void createInstance(NewInstance start) throws InstanceAlreadyExistsException {
        StoredForm.checkStart(start);
        db.write("createInstance", tx -> {
            long now = now();
            if (!insertInstance(tx, start.instanceId(), start.start(), now)) {
                throw new InstanceAlreadyExistsException(start.instanceId(), statusOf(tx, start.instanceId()));
            }
            enqueue(tx, start.startMessage(), now, now);
            return null;
        });
    }

    @Override
    public boolean signalWithStart(NewInstance start, OrchestratorMessage signal) {
        StoredForm.checkStart(start);
        Objects.requireNonNull(signal, "signal");
        return db.write("signalWithStart", tx -> {
            long now = now();
            boolean created = insertInstance(tx, start.instanceId(), start.start(), now);
            if (created) {
                enqueue(tx, start.startMessage(), now, now);
            }
            enqueue(tx, signal, now, now);
            return created;
        });
    }

    @Override
    public void enqueueOrchestratorMessage(OrchestratorMessage message, Instant visibleAt)
            throws InstanceNotFoundException {
        Objects.requireNonNull(message, "message");
        String json = JSON.toJson(message.event());
        db.write("enqueueOrchestratorMessage", tx -> {
            long now = now();
            int inserted = tx.update("INSERT INTO orchestrator_queue(instance_id, execution_id, message_json,"
                            + " visible_at, attempt_count, created_at) SELECT ?, ?, ?, ?, 0, ?"
                            + " WHERE EXISTS (SELECT 1 FROM instances WHERE instance_id = ?)",
                    message.instanceId(), message.executionId(), json,
                    visibleAt == null ? now : visibleAt.toEpochMilli(), now, message.instanceId());
            if (inserted == 0) {
                throw new InstanceNotFoundException(message.instanceId());
            }
            return null;
        });
    }

    /** Inserts the instance row (PENDING) and its execution 1, unless the id exists. */
    private static boolean insertInstance(Tx tx, String instanceId, HistoryEvent.ExecutionStarted start, long now)
            throws SQLException {
        int inserted = tx.update(INSERT_INSTANCE, instanceId, start.name(), start.version(), start.input(),
                start.parent() == null ? null : start.parent().instanceId(), now, now);
        if (inserted == 0) {
            return false;
        }
        InitiatedBy initiatedBy = start.initiatedBy() == null ? InitiatedBy.CLIENT : start.initiatedBy();
        tx.update(INSERT_EXECUTION, instanceId, 1L, initiatedBy.name(), now);
        return true;
    }

    private static RuntimeStatus statusOf(Tx tx, String instanceId) throws SQLException {
        String status = tx.queryString("SELECT status FROM instances WHERE instance_id = ?", instanceId);
        return status == null ? null : RuntimeStatus.valueOf(status);
    }

    private static void enqueue(Tx tx, OrchestratorMessage message, long visibleAt, long now) throws SQLException {
        tx.update(INSERT_MESSAGE, message.instanceId(), message.executionId(), JSON.toJson(message.event()),
                visibleAt, now);
    }

    // ---------------------------------------------------------------- orchestrator queue

    /** What a fetch transaction read, still serialised: parsing happens after the commit. */
    private record Locked(String token, InstanceStatus instance, ExecutionRecord execution, List<RawMessage> messages,
            List<HistoryRow> history) {}

    @Override
    public Optional<OrchestrationWorkItem> fetchOrchestrationItem(Duration lockTimeout) {
        return lockInstances("fetchOrchestrationItem", lockTimeout, 1).stream().findFirst();
    }

    @Override
    public List<OrchestrationWorkItem> fetchOrchestrationItems(Duration lockTimeout, int max) {
        return lockInstances("fetchOrchestrationItems", lockTimeout, max);
    }

    private static void requireBatchSize(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
    }

    /** Locks up to {@code max} instances with visible messages in one transaction. */
    private List<OrchestrationWorkItem> lockInstances(String operation, Duration lockTimeout, int max) {
        requireBatchSize(max);
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        // After an empty fetch, look without the write lock first: idle polls then cost one read
        // (WAL readers never wait for writers) instead of a write transaction.
        if (orchestratorIdle && db.read(operation, tx -> tx.queryString(PICK_INSTANCE, now(), now())) == null) {
            return List.of();
        }
        List<Locked> locked = db.write(operation, tx -> {
            List<Locked> instances = new ArrayList<>(max);
            for (Locked next; instances.size() < max && (next = lockNextInstance(tx, timeout)) != null; ) {
                instances.add(next);
            }
            return instances;
        });
        orchestratorIdle = locked.isEmpty();
        return locked.stream()
                .map(l -> SqlRows.workItem(l.token(), l.instance(), l.execution(), l.messages(), l.history()))
                .toList();
    }

    private Locked lockNextInstance(Tx tx, long timeout) throws SQLException {
        long now = now();
        for (int skip = 0; skip < MAX_SKIPS_PER_FETCH; skip++) {
            InstanceStatus instance;
            ExecutionRecord execution;
            try (ResultSet rs = tx.bind(PICK_INSTANCE_WITH_EXECUTION, now, now).executeQuery()) {
                if (!rs.next()) {
                    instance = null;
                    execution = null;
                } else {
                    instance = SqlRows.instance(rs, SqliteProvider.class, TIME);
                    execution = SqlRows.execution(rs, 13, TIME);
                }
            }
            if (instance == null) {
                // Either nothing is ready, or the first ready message belongs to an instance that does not exist.
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
            String token = instanceLockToken(instanceId);
            tx.update(UPSERT_LOCK, instanceId, token, now + timeout, now);
            List<RawMessage> messages;
            try (ResultSet rs = tx.bind(MARK_MESSAGES, token, instanceId, now).executeQuery()) {
                messages = SqlRows.messages(rs);
            }
            // Read inside the transaction, on the writer's warm page cache; parsed after the commit.
            List<HistoryRow> history = SqlRows.history(tx, SELECT_HISTORY, instanceId, instance.executionId());
            return new Locked(token, instance, execution, messages, history);
        }
        return null;
    }

    @Override
    public void commitTurn(String lockToken, TurnWrite write) {
        Objects.requireNonNull(lockToken, "lockToken");
        // Serialise outside the write lock.
        TurnJson json = TurnJson.of(write);
        List<String> eventJson = json.events();
        List<String> itemJson = json.activities();
        List<String> messageJson = json.messages();
        String failureJson = json.failure();

        db.write("commitTurn", tx -> {
            long now = now();
            String instanceId = lockedInstance(lockToken);
            if (instanceId == null || tx.update(RELEASE_LOCK, instanceId, lockToken) == 0) {
                throw StoredForm.lockLost("commitTurn", lockToken);
            }
            tx.update("DELETE FROM orchestrator_queue WHERE instance_id = ? AND lock_token = ?", instanceId, lockToken);

            Long historySize;
            try (ResultSet rs = tx.bind(UPDATE_EXECUTION, write.newEvents().size(), StoredForm.executionStatus(write),
                    write.terminal() ? now : null, instanceId, write.executionId()).executeQuery()) {
                historySize = rs.next() ? rs.getLong(1) : null;
            }
            if (historySize == null) {
                throw new ProviderException("commitTurn", "execution " + write.executionId() + " of instance '"
                        + instanceId + "' does not exist", false, null);
            }
            SqlRows.appendHistory(tx, INSERT_HISTORY, instanceId, write.executionId(), historySize, write.newEvents(),
                    eventJson);

            tx.update(UPDATE_INSTANCE, write.status().name(), write.name(), write.version(), write.output(),
                    failureJson, write.customStatusChanged(), write.customStatus(),
                    write.continueAsNewExecutionId(), now, instanceId);
            if (write.continueAsNewExecutionId() != null) {
                tx.update(INSERT_EXECUTION, instanceId, write.continueAsNewExecutionId(),
                        InitiatedBy.CONTINUE_AS_NEW.name(), now);
            }

            if (!itemJson.isEmpty()) {
                PreparedStatement p = tx.ps(INSERT_WORK_ITEM);
                for (int i = 0; i < itemJson.size(); i++) {
                    ActivityWorkItem item = write.activities().get(i);
                    p.setString(1, item.instanceId());
                    p.setLong(2, item.executionId());
                    p.setInt(3, item.taskId());
                    p.setString(4, itemJson.get(i));
                    p.setLong(5, now);
                    p.setLong(6, now);
                    p.addBatch();
                }
                p.executeBatch();
            }

            if (!messageJson.isEmpty()) {
                for (TimedMessage m : write.messages()) {
                    OrchestratorMessage message = m.message();
                    if (message.event() instanceof HistoryEvent.ExecutionStarted started
                            && !message.instanceId().equals(instanceId)) {
                        insertInstance(tx, message.instanceId(), started, now);
                    }
                }
                PreparedStatement p = tx.ps(INSERT_MESSAGE);
                for (int i = 0; i < messageJson.size(); i++) {
                    TimedMessage m = write.messages().get(i);
                    p.setString(1, m.message().instanceId());
                    if (m.message().executionId() == null) {
                        p.setNull(2, Types.INTEGER);
                    } else {
                        p.setLong(2, m.message().executionId());
                    }
                    p.setString(3, messageJson.get(i));
                    p.setLong(4, m.visibleAt() == null ? now : m.visibleAt().toEpochMilli());
                    p.setLong(5, now);
                    p.addBatch();
                }
                p.executeBatch();
            }

            if (write.terminal()) {
                tx.update("DELETE FROM worker_queue WHERE instance_id = ?", instanceId);
            }
            return null;
        });
    }

    @Override
    public void abandonOrchestrationItem(String lockToken, Duration delay) {
        Objects.requireNonNull(lockToken, "lockToken");
        long delayMs = millis(delay);
        db.write("abandonOrchestrationItem", tx -> {
            String instanceId = lockedInstance(lockToken);
            // The delay holds back the instance, not just the messages put back: one enqueued meanwhile (an event
            // for a start that waits for a runtime registering it) must not be fetched without them.
            if (instanceId == null
                    || tx.update(HOLD_LOCK, instanceLockToken(instanceId), now() + delayMs, instanceId, lockToken) == 0) {
                throw StoredForm.lockLost("abandonOrchestrationItem", lockToken);
            }
            tx.update("UPDATE orchestrator_queue SET lock_token = NULL WHERE instance_id = ? AND lock_token = ?",
                    instanceId, lockToken);
            return null;
        });
    }

    @Override
    public void renewOrchestrationLock(String lockToken, Duration lockTimeout) {
        Objects.requireNonNull(lockToken, "lockToken");
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        long now = now();
        updateHeldLock("renewOrchestrationLock", lockToken,
                "UPDATE instance_locks SET locked_until = ?, locked_at = ? WHERE instance_id = ? AND lock_token = ?",
                now + timeout, now, lockedInstance(lockToken), lockToken);
    }

    // ---------------------------------------------------------------- worker queue

    @Override
    public Optional<ActivityLease> fetchActivity(Duration lockTimeout) {
        return leaseActivities("fetchActivity", lockTimeout, 1).stream().findFirst();
    }

    @Override
    public List<ActivityLease> fetchActivities(Duration lockTimeout, int max) {
        return leaseActivities("fetchActivities", lockTimeout, max);
    }

    /** Locks up to {@code max} work items in one transaction. */
    private List<ActivityLease> leaseActivities(String operation, Duration lockTimeout, int max) {
        requireBatchSize(max);
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        if (activitiesIdle && db.read(operation, tx -> tx.queryString(ACTIVITY_READY, now(), now())) == null) {
            return List.of();
        }
        List<ActivityLease> leases = new ArrayList<>(max);
        // An unreadable item is failed back to its orchestration and the fetch tries again for the rest,
        // so a damaged row never blocks the queue.
        for (int round = 0; round < MAX_SKIPS_PER_FETCH && leases.size() < max; round++) {
            List<LeasedRow> rows = leaseRows(operation, timeout, max - leases.size());
            boolean unreadable = false;
            for (LeasedRow row : rows) { // parsed after the commit, outside the write lock
                try {
                    leases.add(new ActivityLease(row.token(), JSON.fromJson(row.json(), ActivityWorkItem.class), row.attempts()));
                } catch (RuntimeException e) {
                    failUnreadableWorkItem(operation, row, e);
                    unreadable = true;
                }
            }
            if (!unreadable) {
                break;
            }
        }
        activitiesIdle = leases.isEmpty();
        return leases;
    }

    /** Leases up to {@code max} ready work items in one transaction, in queue order. */
    private List<LeasedRow> leaseRows(String operation, long timeout, int max) {
        String prefix = token() + ":";
        List<LeasedRow> rows = db.write(operation, tx -> {
            long now = now();
            List<LeasedRow> leased = new ArrayList<>(max);
            try (ResultSet rs = tx.bind(LEASE_WORK_ITEMS, prefix, now + timeout, now, now, now, max).executeQuery()) {
                while (rs.next()) {
                    leased.add(new LeasedRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getString(5),
                            rs.getInt(6), rs.getString(7)));
                }
            }
            return leased;
        });
        rows.sort(Comparator.comparingLong(LeasedRow::id));
        return rows;
    }

    /** A work item as the lease statement returned it, still serialised. */
    private record LeasedRow(long id, String instanceId, long executionId, int taskId, String json, int attempts,
            String token) {}

    /**
     * A work item that cannot be deserialised would be fetched forever; instead it is removed and its
     * orchestration receives an infrastructure failure for the task, in one transaction (unless the lease
     * was lost meanwhile; the next fetch then finds it again).
     */
    private void failUnreadableWorkItem(String operation, LeasedRow row, RuntimeException error) {
        String message = "activity work item " + row.id() + " (task " + row.taskId() + ") cannot be read: " + error.getMessage();
        LOG.log(Level.WARNING, "fetchActivity: instance ''{0}'': {1}", row.instanceId(), message);
        FailureDetails failure = StoredForm.unreadableWorkItem(SqliteProvider.class, message);
        try {
            db.write(operation, tx -> {
                long now = now();
                if (tx.update("DELETE FROM worker_queue WHERE id = ? AND lock_token = ?", row.id(), row.token()) == 1) {
                    enqueue(tx, new OrchestratorMessage(row.instanceId(), row.executionId(),
                            new HistoryEvent.ActivityFailed(now, row.taskId(), failure)), now, now);
                }
                return null;
            });
        } catch (ProviderException e) {
            // the other leases of this fetch are still returned; this one is found again when its lease expires
            LOG.log(Level.WARNING, "fetchActivity: could not fail unreadable work item {0}: {1}", row.id(), e.getMessage());
        }
    }

    @Override
    public void completeActivity(String lockToken, OrchestratorMessage completion) {
        Objects.requireNonNull(lockToken, "lockToken");
        Objects.requireNonNull(completion, "completion");
        if (!storeCompletions("completeActivity", List.of(new ActivityCompletion(lockToken, completion))).isEmpty()) {
            throw StoredForm.lockLost("completeActivity", lockToken);
        }
    }

    @Override
    public Set<String> completeActivities(List<ActivityCompletion> completions) {
        Objects.requireNonNull(completions, "completions");
        return completions.isEmpty() ? Set.of() : storeCompletions("completeActivities", completions);
    }

    /** Deletes each held work item and enqueues its completion, all in one transaction; returns tokens no longer held. */
    private Set<String> storeCompletions(String operation, List<ActivityCompletion> completions) {
        List<String> json = completions.stream().map(c -> JSON.toJson(c.completion().event())).toList();
        return db.write(operation, tx -> {
            long now = now();
            Set<String> lost = new HashSet<>();
            for (int i = 0; i < completions.size(); i++) {
                ActivityCompletion c = completions.get(i);
                if (tx.update("DELETE FROM worker_queue WHERE id = ? AND lock_token = ?", leasedWorkItem(c.lockToken()),
                        c.lockToken()) == 0) {
                    lost.add(c.lockToken());
                    continue;
                }
                OrchestratorMessage m = c.completion();
                tx.update(INSERT_MESSAGE, m.instanceId(), m.executionId(), json.get(i), now, now);
            }
            return lost;
        });
    }

    @Override
    public void abandonActivity(String lockToken, Duration delay) {
        Objects.requireNonNull(lockToken, "lockToken");
        long delayMs = millis(delay);
        updateHeldLock("abandonActivity", lockToken, "UPDATE worker_queue SET lock_token = NULL, locked_until = NULL,"
                + " visible_at = ? WHERE id = ? AND lock_token = ?", now() + delayMs, leasedWorkItem(lockToken), lockToken);
    }

    @Override
    public void renewActivityLock(String lockToken, Duration lockTimeout) {
        Objects.requireNonNull(lockToken, "lockToken");
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        long now = now();
        updateHeldLock("renewActivityLock", lockToken,
                "UPDATE worker_queue SET locked_until = ?, locked_at = ? WHERE id = ? AND lock_token = ?", now + timeout,
                now, leasedWorkItem(lockToken), lockToken);
    }

    /** Runs an update that must touch the row(s) held by the token; none means the lock was lost. */
    private void updateHeldLock(String operation, String lockToken, String sql, Object... args) {
        db.write(operation, tx -> SqlRows.updateHeldLock(tx, operation, lockToken, sql, args));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<InstanceStatus> getInstance(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return Optional.ofNullable(db.read("getInstance", tx -> SqlRows.instanceById(tx, instanceId, SqliteProvider.class,
                TIME)));
    }

    @Override
    public List<HistoryEvent> readHistory(String instanceId, long executionId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return StoredForm.historyOrThrow(instanceId, executionId,
                db.read("readHistory", tx -> SqlRows.history(tx, SELECT_HISTORY, instanceId, executionId)));
    }

    @Override
    public Optional<ExecutionRecord> getExecution(String instanceId, long executionId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return Optional.ofNullable(db.read("getExecution", tx -> SqlRows.executionById(tx, instanceId, executionId, TIME)));
    }

    @Override
    public List<InstanceStatus> listInstances(InstanceQuery query) {
        SqlRows.Listing listing = SqlRows.listing(query);
        return db.read("listInstances", tx -> {
            try (ResultSet rs = tx.bind(listing.sql(), listing.args()).executeQuery()) {
                return SqlRows.instances(rs, SqliteProvider.class, TIME);
            }
        });
    }

    // ---------------------------------------------------------------- management

    @Override
    public int purgeInstance(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return db.write("purgeInstance", tx -> {
            List<String> ids = SqlRows.terminalTree(tx, TREE, instanceId);
            if (ids.isEmpty()) {
                return 0;
            }
            String idArray = JSON.toJson(ids);
            for (String table : PURGED_TABLES) {
                tx.update("DELETE FROM " + table + " WHERE instance_id IN (SELECT value FROM json_each(?))", idArray);
            }
            return ids.size();
        });
    }

    @Override
    public int pruneExecutions(String instanceId, int keepLast) {
        Objects.requireNonNull(instanceId, "instanceId");
        if (keepLast < 1) {
            throw new IllegalArgumentException("keepLast must be at least 1, was " + keepLast);
        }
        return db.write("pruneExecutions", tx -> SqlRows.pruneExecutions(tx, instanceId, keepLast));
    }

    @Override
    public QueueDepths queueDepths() {
        return db.read("queueDepths", tx -> {
            long now = now();
            try (ResultSet rs = tx.bind("SELECT"
                    + " (SELECT count(*) FROM orchestrator_queue q WHERE q.visible_at <= ? AND NOT EXISTS"
                    + " (SELECT 1 FROM instance_locks l WHERE l.instance_id = q.instance_id AND l.locked_until > ?)),"
                    + " (SELECT count(*) FROM worker_queue WHERE visible_at <= ?"
                    + " AND (lock_token IS NULL OR locked_until <= ?))", now, now, now, now).executeQuery()) {
                rs.next();
                return new QueueDepths(rs.getLong(1), rs.getLong(2));
            }
        });
    }

    @Override
    public Optional<LockedWork> lockedWork() {
        return db.read("lockedWork", tx -> {
            try (ResultSet rs = tx.bind(LOCKED_WORK, now()).executeQuery()) {
                rs.next();
                return Optional.of(new LockedWork(rs.getLong(1), Duration.ofMillis(rs.getLong(2)), rs.getLong(3),
                        Duration.ofMillis(rs.getLong(4))));
            }
        });
    }

    @Override
    public List<ActiveInstanceCount> countActiveInstances() {
        return db.read("countActiveInstances", tx -> {
            long now = now();
            try (ResultSet rs = tx.bind(ACTIVE_INSTANCES, now, now).executeQuery()) {
                return SqlRows.activeInstances(rs);
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }
}
