package io.duroxide.provider.jdbc;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.api.JsonConverter;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.InstanceWork;
import io.duroxide.provider.LockedWork;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.TurnWrite;
import io.duroxide.provider.jdbc.SqlRows.RawMessage;
import io.duroxide.provider.jdbc.SqlRows.RawWorkItem;
import io.duroxide.provider.jdbc.StoredForm.HistoryRow;
import io.duroxide.provider.jdbc.StoredForm.TurnJson;
import java.lang.System.Logger.Level;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The part of a {@link Provider} that is the same on every SQL store with duroxide's table layout: client
 * writes, the turn commit, lock renewal and release, activity completion, reads, management and the gauges'
 * queries. What differs between stores is its {@link SqlDialect} and its {@link SqlDatabase}; how a store
 * fetches (where stores differ most: batches and an idle hint in SQLite, {@code SKIP LOCKED} and an idle gate
 * in PostgreSQL) is its subclass's.
 *
 * <p>Every public step is overridable as a whole: a store may replace {@link #commitTurn} or a fetch with its
 * own implementation (one statement, a server-side function), and reuse the pieces here that it keeps
 * ({@link #writeTurn}, {@link #enqueue}, {@link #insertInstance}). A subclass overriding an SPI method does not
 * call the inherited one: observers measure each SPI call of a thread once, the outermost.
 */
public abstract class JdbcProvider implements Provider {
    private static final System.Logger LOG = System.getLogger(JdbcProvider.class.getName());
    protected static final JsonConverter JSON = JsonConverter.DEFAULT;

    /** Orphans (messages of deleted instances) and lost lock races one fetch gets past before giving up. */
    protected static final int MAX_SKIPS_PER_FETCH = 16;

    /** Templates ({@link SqlDialect}) of the conditions that make a message, and a work item, ready to fetch. */
    protected static final String READY_MESSAGE = " q.visible_at <= {now} AND NOT EXISTS (SELECT 1 FROM instance_locks l"
            + " WHERE l.instance_id = q.instance_id AND l.locked_until > {now})";
    protected static final String READY_WORK_ITEM = " visible_at <= {now} AND (lock_token IS NULL OR locked_until <= {now})";

    protected static final String SELECT_HISTORY = "SELECT event_id, event_json FROM history"
            + " WHERE instance_id = ? AND execution_id = ? ORDER BY event_id";
    private static final String INSERT_HISTORY = "INSERT INTO history(instance_id, execution_id, event_id, event_type,"
            + " event_json) VALUES (?, ?, ?, ?, ?)";
    private static final List<String> PURGED_TABLES =
            List.of("history", "executions", "orchestrator_queue", "worker_queue", "instance_locks", "instances");

    protected final SqlDatabase db;
    protected final SqlDialect dialect;

    // The shared statements, rendered once in the dialect.
    private final String insertInstance;
    private final String insertExecution;
    private final String insertMessage;
    private final String insertMessageIfInstanceExists;
    private final String lockNewInstance;
    private final String markStartMessages;
    private final String updateExecution;
    private final String updateInstance;
    private final String insertWorkItem;
    private final String renewInstanceLock;
    private final String deleteWorkItem;
    private final String abandonWorkItem;
    private final String renewWorkItem;
    private final String tree;
    private final String purge;
    private final String queueDepths;
    private final String lockedWork;
    private final String activeInstances;
    private final String instanceWorkItems;
    private final String instanceMessages;

    protected JdbcProvider(SqlDatabase db, SqlDialect dialect) {
        this.db = Objects.requireNonNull(db, "db");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        insertInstance = dialect.render("INSERT INTO instances(instance_id, orchestration_name, orchestration_version,"
                + " status, current_execution_id, input, parent_instance_id, created_at, updated_at)"
                + " VALUES (?, ?, ?, 'PENDING', 1, ?, ?, {now}, {now}) ON CONFLICT (instance_id) DO NOTHING");
        insertExecution = dialect.render("INSERT INTO executions(instance_id, execution_id, status, initiated_by,"
                + " started_at, turn_count, history_size) VALUES (?, ?, 'RUNNING', ?, {now}, 0, 0)");
        String messageInsert = "INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at,"
                + " attempt_count, created_at, fetch_rank) SELECT m.instance_id, m.execution_id, m.message_json, m.visible_at,"
                + " 0, {now}, " + FetchRank.of(dialect, "m.instance_id", "m.visible_at") + " FROM (SELECT ? AS instance_id,"
                + " CAST(? AS BIGINT) AS execution_id, ? AS message_json, coalesce(?, {now}) AS visible_at) m";
        insertMessage = dialect.render(messageInsert);
        insertMessageIfInstanceExists = dialect.render(messageInsert
                + " WHERE EXISTS (SELECT 1 FROM instances WHERE instance_id = m.instance_id)");
        // A lock row left by an instance of the same id that was deleted while locked is stale: take it over.
        lockNewInstance = dialect.render("INSERT INTO instance_locks(instance_id, lock_token, locked_until, locked_at)"
                + " VALUES (?, ?, {now} + {ms}, {now}) ON CONFLICT (instance_id) DO UPDATE SET"
                + " lock_token = excluded.lock_token, locked_until = excluded.locked_until, locked_at = excluded.locked_at");
        markStartMessages = dialect.render("UPDATE orchestrator_queue SET lock_token = ?, attempt_count = attempt_count + 1"
                + " WHERE instance_id = ? AND visible_at <= {now} RETURNING id, execution_id, message_json, attempt_count");
        updateExecution = dialect.render("UPDATE executions SET turn_count = turn_count + 1,"
                + " history_size = history_size + ?, status = ?,"
                + " completed_at = CASE WHEN ? THEN {now} ELSE completed_at END"
                + " WHERE instance_id = ? AND execution_id = ? RETURNING history_size");
        updateInstance = dialect.render("UPDATE instances SET status = ?,"
                + " orchestration_name = coalesce(?, orchestration_name),"
                + " orchestration_version = coalesce(?, orchestration_version), output = ?, failure_json = ?,"
                + " custom_status = CASE WHEN ? THEN ? ELSE custom_status END,"
                + " current_execution_id = coalesce(CAST(? AS BIGINT), current_execution_id), updated_at = {now}"
                + " WHERE instance_id = ?");
        insertWorkItem = dialect.render("INSERT INTO worker_queue(instance_id, execution_id, task_id, item_json,"
                + " visible_at, attempt_count, created_at, fetch_rank) SELECT w.instance_id, w.execution_id, w.task_id,"
                + " w.item_json, {now}, 0, {now}, " + FetchRank.of(dialect, "w.instance_id", "{now}")
                + " FROM (SELECT ? AS instance_id, CAST(? AS BIGINT) AS execution_id, CAST(? AS INTEGER) AS task_id,"
                + " ? AS item_json) w");
        renewInstanceLock = dialect.render("UPDATE instance_locks SET locked_until = {now} + {ms}, locked_at = {now}"
                + " WHERE " + dialect.heldBy("instance_id"));
        deleteWorkItem = dialect.render("DELETE FROM worker_queue WHERE " + dialect.heldBy("id"));
        abandonWorkItem = dialect.render("UPDATE worker_queue SET lock_token = NULL, locked_until = NULL,"
                + " visible_at = {now} + {ms} WHERE " + dialect.heldBy("id"));
        renewWorkItem = dialect.render("UPDATE worker_queue SET locked_until = {now} + {ms}, locked_at = {now}"
                + " WHERE " + dialect.heldBy("id"));
        tree = "WITH RECURSIVE tree(id) AS (SELECT instance_id FROM instances WHERE instance_id = ?"
                + " UNION SELECT i.instance_id FROM instances i JOIN tree t ON i.parent_instance_id = t.id)"
                + " SELECT i.instance_id, i.status FROM tree JOIN instances i ON i.instance_id = tree.id"
                + dialect.lockForDelete("i", "i.instance_id");
        purge = " WHERE " + dialect.isOneOf("instance_id");
        queueDepths = dialect.render("SELECT (SELECT count(*) FROM orchestrator_queue q WHERE" + READY_MESSAGE + "),"
                + " (SELECT count(*) FROM worker_queue WHERE" + READY_WORK_ITEM + ")");
        // The complement of queueDepths among due work: visible messages of instances under an unexpired lock (not
        // a put-back hold), and unexpired work item leases, each with the age of the oldest lock; a lock without a
        // locked_at (taken before the column existed) counts as just renewed.
        String age = "coalesce(" + dialect.millisSince("min(coalesce(locked_at, {now}))") + ", 0)";
        lockedWork = dialect.render("WITH held AS (SELECT instance_id, locked_at FROM instance_locks"
                + " WHERE locked_until > {now} AND " + StoredForm.NOT_A_HOLD + "),"
                + " leased AS (SELECT locked_at FROM worker_queue WHERE lock_token IS NOT NULL AND locked_until > {now})"
                + " SELECT (SELECT count(*) FROM orchestrator_queue q JOIN held h ON h.instance_id = q.instance_id"
                + " WHERE q.visible_at <= {now}),"
                + " (SELECT " + age + " FROM held), (SELECT count(*) FROM leased), (SELECT " + age + " FROM leased)");
        activeInstances = dialect.render(SqlRows.activeInstancesSql("{now}"));
        instanceWorkItems = dialect.render("SELECT w.item_json, w.visible_at,"
                + " CASE WHEN w.lock_token IS NOT NULL AND w.locked_until > {now} THEN w.locked_until END, w.attempt_count,"
                + " (SELECT count(*) FROM worker_queue WHERE (fetch_rank < w.fetch_rank OR fetch_rank = w.fetch_rank"
                + " AND id < w.id) AND" + READY_WORK_ITEM + ")"
                + " FROM worker_queue w WHERE w.instance_id = ?" + FetchRank.WORK_ITEM_ORDER);
        instanceMessages = dialect.render("SELECT message_json, visible_at FROM orchestrator_queue"
                + " WHERE instance_id = ? ORDER BY visible_at, id");
    }

    protected static long millis(Duration d) {
        return d == null || d.isNegative() ? 0 : d.toMillis();
    }

    protected static String token() {
        return UUID.randomUUID().toString();
    }

    /** Runs a rendered statement with the transaction's clock reading. */
    protected final int update(SqlTx tx, Object clock, String sql, Object... values) throws SQLException {
        return tx.update(sql, dialect.args(clock, values));
    }

    protected final ResultSet query(SqlTx tx, Object clock, String sql, Object... values) throws SQLException {
        return tx.bind(sql, dialect.args(clock, values)).executeQuery();
    }

    /** Adds one row of values to a batch of a rendered statement (prepared once with {@code tx.bind(sql)}). */
    private void addBatch(PreparedStatement batch, Object clock, Object... values) throws SQLException {
        Object[] args = dialect.args(clock, values);
        for (int i = 0; i < args.length; i++) {
            batch.setObject(i + 1, args[i]);
        }
        batch.addBatch();
    }

    // ---------------------------------------------------------------- notification

    /** Called after a commit that added or released orchestrator work; a store may wake idle fetchers. */
    protected void orchestratorWorkAdded() {}

    /**
     * Called instead of {@link #orchestratorWorkAdded} after a turn's commit that queued no orchestrator work: it
     * only released its instance. Messages that reached the instance during the turn are ready now; other
     * processes' fetchers skipped them while the lock was held, and this process fetches next. By default the same
     * as {@link #orchestratorWorkAdded}; a store whose wake-up reaches other processes may wake only this one's.
     */
    protected void instanceReleased() {
        orchestratorWorkAdded();
    }

    /** Called after a commit that added or released activity work. */
    protected void activityWorkAdded() {}

    // ---------------------------------------------------------------- client writes

    @Override
    public void createInstance(NewInstance start) throws InstanceAlreadyExistsException {
        StoredForm.checkStart(start);
        db.write("createInstance", tx -> {
            if (!insertStart(tx, dialect.clock(), start)) {
                throw new InstanceAlreadyExistsException(start.instanceId(), statusOf(tx, start.instanceId()));
            }
            return null;
        });
        orchestratorWorkAdded();
    }

    /**
     * The start and its lock in one transaction ({@link #insertStartLocked}); no fetcher is woken, since nothing
     * became ready for one.
     */
    @Override
    public Optional<OrchestrationWorkItem> createInstanceLocked(NewInstance start, Duration lockTimeout) {
        StoredForm.checkStart(start);
        long timeoutMs = lockMillis(lockTimeout);
        String token = dialect.instanceLockToken(start.instanceId());
        LockedInstance locked = db.write("createInstanceLocked", tx -> {
            LockedInstance created = insertStartLocked(tx, dialect.clock(), start, token, timeoutMs);
            if (created == null) {
                throw new InstanceAlreadyExistsException(start.instanceId(), statusOf(tx, start.instanceId()));
            }
            return created;
        });
        return Optional.of(locked.workItem());
    }

    /**
     * Inserts the start as {@link #insertStart} does, with the instance locked under {@code token} for {@code
     * timeoutMs} and its start message delivered once; what a fetch of it would have read, or null (nothing
     * written) if the id exists. A store may do it in one statement.
     */
    protected LockedInstance insertStartLocked(SqlTx tx, Object clock, NewInstance start, String token, long timeoutMs)
            throws SQLException {
        if (!insertStart(tx, clock, start)) {
            return null;
        }
        String instanceId = start.instanceId();
        update(tx, clock, lockNewInstance, instanceId, token, timeoutMs);
        List<RawMessage> messages;
        try (ResultSet rs = query(tx, clock, markStartMessages, token, instanceId)) {
            messages = SqlRows.messages(rs);
        }
        return new LockedInstance(token, SqlRows.instanceById(tx, instanceId, getClass(), dialect.time()),
                SqlRows.executionById(tx, instanceId, 1, dialect.time()), messages, List.of());
    }

    @Override
    public boolean signalWithStart(NewInstance start, OrchestratorMessage signal) {
        StoredForm.checkStart(start);
        Objects.requireNonNull(signal, "signal");
        boolean created = db.write("signalWithStart", tx -> {
            Object clock = dialect.clock();
            boolean inserted = insertStart(tx, clock, start);
            enqueue(tx, clock, signal, null);
            return inserted;
        });
        orchestratorWorkAdded();
        return created;
    }

    @Override
    public void enqueueOrchestratorMessage(OrchestratorMessage message, Instant visibleAt)
            throws InstanceNotFoundException {
        Objects.requireNonNull(message, "message");
        String json = JSON.toJson(message.event());
        db.write("enqueueOrchestratorMessage", tx -> {
            if (update(tx, dialect.clock(), insertMessageIfInstanceExists, message.instanceId(), message.executionId(),
                    json, dialect.timestamp(visibleAt)) == 0) {
                throw new InstanceNotFoundException(message.instanceId());
            }
            return null;
        });
        orchestratorWorkAdded();
    }

    /**
     * Inserts the instance (PENDING), its execution 1 and its start message, unless the id exists; returns whether it
     * did. A store may do it in one statement.
     */
    protected boolean insertStart(SqlTx tx, Object clock, NewInstance start) throws SQLException {
        if (!insertInstance(tx, clock, start.instanceId(), start.start())) {
            return false;
        }
        enqueue(tx, clock, start.startMessage(), null);
        return true;
    }

    /** Inserts the instance row (PENDING) and its execution 1, unless the id exists. */
    protected final boolean insertInstance(SqlTx tx, Object clock, String instanceId, HistoryEvent.ExecutionStarted start)
            throws SQLException {
        if (update(tx, clock, insertInstance, instanceId, start.name(), start.version(), start.input(),
                StoredForm.parentId(start)) == 0) {
            return false;
        }
        update(tx, clock, insertExecution, instanceId, 1L, StoredForm.initiatedBy(start));
        return true;
    }

    private static RuntimeStatus statusOf(SqlTx tx, String instanceId) throws SQLException {
        String status = tx.queryString("SELECT status FROM instances WHERE instance_id = ?", instanceId);
        return status == null ? null : RuntimeStatus.valueOf(status);
    }

    /** Queues a message, visible at {@code visibleAt} or (null) now. */
    protected final void enqueue(SqlTx tx, Object clock, OrchestratorMessage message, Instant visibleAt)
            throws SQLException {
        update(tx, clock, insertMessage, message.instanceId(), message.executionId(), JSON.toJson(message.event()),
                dialect.timestamp(visibleAt));
    }

    // ---------------------------------------------------------------- orchestrator queue

    /** What a fetch transaction read, still serialised: parsing happens after the commit. */
    public record LockedInstance(String token, InstanceStatus instance, ExecutionRecord execution,
            List<RawMessage> messages, List<HistoryRow> history) {

        public OrchestrationWorkItem workItem() {
            return SqlRows.workItem(token, instance, execution, messages, history);
        }
    }

    @Override
    public final Optional<OrchestrationWorkItem> fetchOrchestrationItem(Duration lockTimeout) {
        return lockInstances("fetchOrchestrationItem", lockMillis(lockTimeout), 1).stream().findFirst();
    }

    @Override
    public final List<OrchestrationWorkItem> fetchOrchestrationItems(Duration lockTimeout, int max) {
        return lockInstances("fetchOrchestrationItems", lockMillis(lockTimeout), batchSize(max));
    }

    /**
     * Both fetches of the orchestrator queue (a single fetch is a batch of one): locks up to {@code max} instances
     * for {@code timeoutMs}, in {@link Provider#fetchOrchestrationItem}'s order; {@code operation} names the SPI call.
     */
    protected abstract List<OrchestrationWorkItem> lockInstances(String operation, long timeoutMs, int max);

    private static long lockMillis(Duration lockTimeout) {
        return millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
    }

    private static int batchSize(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        return max;
    }

    /** The messages and history of an instance whose lock the fetch just took with {@code token}. */
    protected static LockedInstance locked(SqlTx tx, String token, InstanceStatus instance, ExecutionRecord execution,
            List<RawMessage> messages) throws SQLException {
        return new LockedInstance(token, instance, execution, messages,
                SqlRows.history(tx, SELECT_HISTORY, instance.instanceId(), instance.executionId()));
    }

    @Override
    public void commitTurn(String lockToken, TurnWrite write) {
        Objects.requireNonNull(lockToken, "lockToken");
        TurnJson json = TurnJson.of(write); // serialised before the transaction
        db.write("commitTurn", tx -> {
            writeTurn(tx, lockToken, write, json);
            return null;
        });
        if (write.messages().isEmpty() && write.continueAsNewExecutionId() == null) {
            instanceReleased();
        } else {
            orchestratorWorkAdded();
        }
        if (!write.activities().isEmpty()) {
            activityWorkAdded();
        }
    }

    /**
     * A turn's whole write, in the caller's transaction: releases the lock (or throws {@link
     * io.duroxide.provider.LockLostException}), consumes the fetched messages, appends history, updates execution
     * and instance, and queues activities, timers and messages. A store may replace it (with one statement, say)
     * and keep the rest of {@link #commitTurn}; it then calls {@link #startChildren} and {@link #continueAsNew}.
     */
    protected void writeTurn(SqlTx tx, String lockToken, TurnWrite write, TurnJson json) throws SQLException {
        Object clock = dialect.clock();
        String instanceId = dialect.releaseInstanceLock(tx, lockToken);
        if (instanceId == null) {
            throw StoredForm.lockLost("commitTurn", lockToken);
        }
        tx.update("DELETE FROM orchestrator_queue WHERE instance_id = ? AND lock_token = ?", instanceId, lockToken);

        Long historySize;
        try (ResultSet rs = query(tx, clock, updateExecution, write.newEvents().size(), StoredForm.executionStatus(write),
                write.terminal(), instanceId, write.executionId())) {
            historySize = rs.next() ? rs.getLong(1) : null;
        }
        if (historySize == null) {
            throw new ProviderException("commitTurn", "execution " + write.executionId() + " of instance '"
                    + instanceId + "' does not exist", false, null);
        }
        SqlRows.appendHistory(tx, INSERT_HISTORY, instanceId, write.executionId(), historySize, write.newEvents(),
                json.events());

        update(tx, clock, updateInstance, write.status().name(), write.name(), write.version(), write.output(),
                json.failure(), write.customStatusChanged(), write.customStatus(), write.continueAsNewExecutionId(),
                instanceId);
        continueAsNew(tx, clock, instanceId, write);

        if (!json.activities().isEmpty()) {
            PreparedStatement batch = tx.bind(insertWorkItem);
            for (int i = 0; i < json.activities().size(); i++) {
                ActivityWorkItem item = write.activities().get(i);
                addBatch(batch, clock, item.instanceId(), item.executionId(), item.taskId(), json.activities().get(i));
            }
            batch.executeBatch();
        }

        if (!json.messages().isEmpty()) {
            startChildren(tx, clock, instanceId, write);
            PreparedStatement batch = tx.bind(insertMessage);
            for (int i = 0; i < json.messages().size(); i++) {
                TimedMessage m = write.messages().get(i);
                addBatch(batch, clock, m.message().instanceId(), m.message().executionId(), json.messages().get(i),
                        dialect.timestamp(m.visibleAt()));
            }
            batch.executeBatch();
        }

        if (write.terminal()) {
            tx.update("DELETE FROM worker_queue WHERE instance_id = ?", instanceId);
        }
    }

    /** Creates the instance rows of the sub-orchestrations the turn starts (their start messages are the turn's). */
    protected final void startChildren(SqlTx tx, Object clock, String instanceId, TurnWrite write) throws SQLException {
        for (TimedMessage m : write.messages()) {
            OrchestratorMessage message = m.message();
            if (message.event() instanceof HistoryEvent.ExecutionStarted started
                    && !message.instanceId().equals(instanceId)) {
                insertInstance(tx, clock, message.instanceId(), started);
            }
        }
    }

    /** Adds the execution the turn continues as new with, if it does. */
    protected final void continueAsNew(SqlTx tx, Object clock, String instanceId, TurnWrite write) throws SQLException {
        if (write.continueAsNewExecutionId() != null) {
            update(tx, clock, insertExecution, instanceId, write.continueAsNewExecutionId(),
                    InitiatedBy.CONTINUE_AS_NEW.name());
        }
    }

    @Override
    public void abandonOrchestrationItem(String lockToken, Duration delay) {
        Objects.requireNonNull(lockToken, "lockToken");
        long delayMs = millis(delay);
        db.writeVolatile("abandonOrchestrationItem", tx -> {
            // The delay holds back the instance, not just the messages put back: one enqueued meanwhile (an event
            // for a start that waits for a runtime registering it) must not be fetched without them.
            String instanceId = dialect.holdInstanceLock(tx, lockToken, delayMs);
            if (instanceId == null) {
                throw StoredForm.lockLost("abandonOrchestrationItem", lockToken);
            }
            tx.update("UPDATE orchestrator_queue SET lock_token = NULL WHERE instance_id = ? AND lock_token = ?",
                    instanceId, lockToken);
            return null;
        });
        orchestratorWorkAdded();
    }

    @Override
    public void renewOrchestrationLock(String lockToken, Duration lockTimeout) {
        Objects.requireNonNull(lockToken, "lockToken");
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        updateHeldLock("renewOrchestrationLock", lockToken, renewInstanceLock, timeout,
                dialect.heldByArgs(lockToken, false));
    }

    // ---------------------------------------------------------------- worker queue

    /**
     * A work item that cannot be deserialised would be fetched forever; instead it is removed and its
     * orchestration receives an infrastructure failure for the task, in the caller's transaction.
     *
     * @return false if the row is no longer held by the token (the next fetch finds it again)
     */
    protected final boolean failUnreadableWorkItem(SqlTx tx, long id, String lockToken, String instanceId,
            long executionId, int taskId, RuntimeException error) throws SQLException {
        String message = "activity work item " + id + " (task " + taskId + ") cannot be read: " + error.getMessage();
        LOG.log(Level.WARNING, "fetchActivity: instance ''{0}'': {1}", instanceId, message);
        FailureDetails failure = StoredForm.unreadableWorkItem(getClass(), message);
        if (tx.update("DELETE FROM worker_queue WHERE id = ? AND lock_token = ?", id, lockToken) == 0) {
            return false;
        }
        enqueue(tx, dialect.clock(), new OrchestratorMessage(instanceId, executionId,
                new HistoryEvent.ActivityFailed(System.currentTimeMillis(), taskId, failure)), null);
        return true;
    }

    @Override
    public final Optional<ActivityLease> fetchActivity(Duration lockTimeout) {
        return leaseActivities("fetchActivity", lockMillis(lockTimeout), 1).stream().findFirst();
    }

    @Override
    public final List<ActivityLease> fetchActivities(Duration lockTimeout, int max) {
        return leaseActivities("fetchActivities", lockMillis(lockTimeout), batchSize(max));
    }

    /**
     * Both fetches of the worker queue (a single fetch is a batch of one): leases up to {@code max} visible work items
     * in {@link Provider#fetchActivity}'s order for {@code timeoutMs}, each under a token of its own; {@code operation}
     * names the SPI call.
     */
    protected abstract List<ActivityLease> leaseActivities(String operation, long timeoutMs, int max);

    /** Leases up to {@code max} ready work items, each under a token of its own, in queue order. */
    @FunctionalInterface
    protected interface WorkItemLease<E extends Exception> {
        List<RawWorkItem> lease(int max) throws E;
    }

    /** Fails an unreadable leased work item back to its orchestration (see {@link #failUnreadableWorkItem}). */
    @FunctionalInterface
    protected interface UnreadableWorkItem<E extends Exception> {
        void fail(RawWorkItem row, RuntimeException error) throws E;
    }

    /**
     * Leases up to {@code max} work items and reads them; an unreadable one is failed back to its orchestration and
     * the lease is tried again for the rest, so a damaged row never blocks the queue.
     */
    protected static <E extends Exception> List<ActivityLease> readableLeases(int max, WorkItemLease<E> lease,
            UnreadableWorkItem<E> unreadable) throws E {
        List<ActivityLease> leases = new ArrayList<>(max);
        for (int round = 0; round < MAX_SKIPS_PER_FETCH && leases.size() < max; round++) {
            boolean failed = false;
            for (RawWorkItem row : lease.lease(max - leases.size())) {
                try {
                    leases.add(new ActivityLease(row.token(), JSON.fromJson(row.json(), ActivityWorkItem.class),
                            row.attempts()));
                } catch (RuntimeException e) {
                    unreadable.fail(row, e);
                    failed = true;
                }
            }
            if (!failed) {
                break;
            }
        }
        return leases;
    }

    @Override
    public void completeActivity(String lockToken, OrchestratorMessage completion) {
        Objects.requireNonNull(lockToken, "lockToken");
        Objects.requireNonNull(completion, "completion");
        if (!storeCompletions("completeActivity", List.of(new ActivityCompletion(lockToken, completion))).isEmpty()) {
            throw StoredForm.lockLost("completeActivity", lockToken);
        }
    }

    /** All in one transaction (see {@link #storeCompletions}). */
    @Override
    public Set<String> completeActivities(List<ActivityCompletion> completions) {
        Objects.requireNonNull(completions, "completions");
        return completions.isEmpty() ? Set.of() : storeCompletions("completeActivities", completions);
    }

    /** Deletes each held work item and enqueues its completion, all in one transaction; returns tokens no longer held. */
    protected final Set<String> storeCompletions(String operation, List<ActivityCompletion> completions) {
        List<String> json = completions.stream().map(c -> JSON.toJson(c.completion().event())).toList();
        Set<String> lost = db.write(operation, tx -> writeCompletions(tx, completions, json));
        if (lost.size() < completions.size()) {
            orchestratorWorkAdded();
        }
        return lost;
    }

    /**
     * The write of {@link #storeCompletions}, in the caller's transaction, one statement per row; {@code json} holds
     * the completions' events serialised. A store may replace it with a set-based statement.
     *
     * @return the tokens that no longer hold their work item (their completions are not stored)
     */
    protected Set<String> writeCompletions(SqlTx tx, List<ActivityCompletion> completions, List<String> json)
            throws SQLException {
        Object clock = dialect.clock();
        Set<String> notHeld = new HashSet<>();
        for (int i = 0; i < completions.size(); i++) {
            ActivityCompletion c = completions.get(i);
            if (update(tx, clock, deleteWorkItem, dialect.heldByArgs(c.lockToken(), true)) == 0) {
                notHeld.add(c.lockToken());
                continue;
            }
            OrchestratorMessage m = c.completion();
            update(tx, clock, insertMessage, m.instanceId(), m.executionId(), json.get(i), null);
        }
        return notHeld;
    }

    @Override
    public void abandonActivity(String lockToken, Duration delay) {
        Objects.requireNonNull(lockToken, "lockToken");
        updateHeldLock("abandonActivity", lockToken, abandonWorkItem, millis(delay), dialect.heldByArgs(lockToken, true));
        activityWorkAdded();
    }

    @Override
    public void renewActivityLock(String lockToken, Duration lockTimeout) {
        Objects.requireNonNull(lockToken, "lockToken");
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        updateHeldLock("renewActivityLock", lockToken, renewWorkItem, timeout, dialect.heldByArgs(lockToken, true));
    }

    /** Runs a rendered update of the row held by the token, after {@code millis}; no row means the lock was lost. */
    private void updateHeldLock(String operation, String lockToken, String sql, long millis, Object[] held) {
        Object[] values = new Object[held.length + 1];
        values[0] = millis;
        System.arraycopy(held, 0, values, 1, held.length);
        db.writeVolatile(operation, tx -> SqlRows.updateHeldLock(tx, operation, lockToken, sql,
                dialect.args(dialect.clock(), values)));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<InstanceStatus> getInstance(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return Optional.ofNullable(db.read("getInstance", tx -> SqlRows.instanceById(tx, instanceId, getClass(),
                dialect.time())));
    }

    @Override
    public List<HistoryEvent> readHistory(String instanceId, long executionId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return StoredForm.historyOrThrow(instanceId, executionId,
                db.read("readHistory", tx -> SqlRows.history(tx, SELECT_HISTORY, instanceId, executionId)));
    }

    @Override
    public Optional<InstanceWork> instanceWork(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return Optional.of(db.read("instanceWork", tx -> {
            Object clock = dialect.clock();
            return SqlRows.instanceWork(instanceId, tx.bind(instanceWorkItems, dialect.args(clock, instanceId)),
                    tx.bind(instanceMessages, dialect.args(clock, instanceId)), dialect.time());
        }));
    }

    @Override
    public Optional<ExecutionRecord> getExecution(String instanceId, long executionId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return Optional.ofNullable(db.read("getExecution", tx -> SqlRows.executionById(tx, instanceId, executionId,
                dialect.time())));
    }

    @Override
    public List<InstanceStatus> listInstances(InstanceQuery query) {
        SqlRows.Listing listing = SqlRows.listing(query);
        return db.read("listInstances", tx -> {
            try (ResultSet rs = tx.bind(listing.sql(), listing.args()).executeQuery()) {
                return SqlRows.instances(rs, getClass(), dialect.time());
            }
        });
    }

    // ---------------------------------------------------------------- management

    @Override
    public int purgeInstance(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return db.write("purgeInstance", tx -> {
            List<String> ids = SqlRows.terminalTree(tx, tree, instanceId);
            if (ids.isEmpty()) {
                return 0;
            }
            Object idList = dialect.idList(ids);
            for (String table : PURGED_TABLES) {
                tx.update("DELETE FROM " + table + purge, idList);
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
            try (ResultSet rs = query(tx, dialect.clock(), queueDepths)) {
                rs.next();
                return new QueueDepths(rs.getLong(1), rs.getLong(2));
            }
        });
    }

    @Override
    public Optional<LockedWork> lockedWork() {
        return db.read("lockedWork", tx -> {
            try (ResultSet rs = query(tx, dialect.clock(), lockedWork)) {
                rs.next();
                return Optional.of(new LockedWork(rs.getLong(1), Duration.ofMillis(rs.getLong(2)), rs.getLong(3),
                        Duration.ofMillis(rs.getLong(4))));
            }
        });
    }

    @Override
    public List<ActiveInstanceCount> countActiveInstances() {
        return db.read("countActiveInstances", tx -> {
            try (ResultSet rs = query(tx, dialect.clock(), activeInstances)) {
                return SqlRows.activeInstances(rs);
            }
        });
    }
}
