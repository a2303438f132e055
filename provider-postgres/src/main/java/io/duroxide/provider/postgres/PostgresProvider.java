package io.duroxide.provider.postgres;

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
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ExecutionRecord;
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
import io.duroxide.provider.postgres.PostgresDatabase.Tx;
import java.lang.System.Logger.Level;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link Provider} on PostgreSQL, for any number of runtime processes on any number of hosts
 * sharing one database. Semantics are those of the built-in SQLite provider; what differs is how
 * many fetchers avoid each other and how idle ones wait.
 *
 * <ul>
 *   <li><b>Schema.</b> {@link #open(PostgresOptions)} creates the configured schema and its tables on
 *       first use, or migrates them, under an advisory lock (runtimes starting together migrate once).
 *   <li><b>Queues.</b> A fetch locks the {@code instances} row of the oldest ready message with
 *       {@code FOR UPDATE SKIP LOCKED}, then takes the instance lock row; activity work items are
 *       claimed with {@code FOR UPDATE SKIP LOCKED} too. Concurrent fetchers therefore never wait for
 *       each other: each takes the next instance nobody else is taking.
 *   <li><b>Time.</b> Lock expiry, renewal and visibility are computed by the database ({@code now()}
 *       of the fetching transaction), so hosts with skewed clocks agree about who holds a lock. Timer
 *       messages carry the absolute time the engine chose.
 *   <li><b>One transaction per turn.</b> {@link #commitTurn} checks the lock, appends history, updates
 *       instance and execution, enqueues activities, timers and messages and releases the lock in one
 *       transaction. Serialization failures and deadlocks are retried as a whole.
 *   <li><b>Waiting for work: LISTEN/NOTIFY plus a due-time gate.</b> After a commit that adds work or
 *       releases an instance lock, the provider notifies a channel of the schema (coalesced, outside the
 *       work transaction: see {@link WorkNotifier} for why); one listening connection per provider
 *       receives it. A queue found empty for a short grace period is not asked again until a
 *       notification arrives, the earliest stored timer or lock expiry is due, or a safety interval
 *       passes ({@link IdleGate}). The runtime keeps its own short poll interval (which matters for
 *       latency when work arrives), yet idle runtimes send almost no queries. Chosen over an adaptive
 *       poll because an adaptive poll trades idle load against pickup latency, while notifications
 *       give both, and the due-time and safety net keep correctness independent of notifications.
 * </ul>
 */
public final class PostgresProvider implements Provider {
    private static final System.Logger LOG = System.getLogger(PostgresProvider.class.getName());
    private static final JsonConverter JSON = JsonConverter.DEFAULT;

    /** Orphans (messages of deleted instances) and lost lock races one fetch gets past before giving up. */
    private static final int MAX_SKIPS_PER_FETCH = 16;

    private static final String MS = " * interval '1 millisecond'";
    /**
     * Milliseconds since the oldest {@code locked_at} of the rows selected; a lock without one (taken before
     * the column existed) counts as just renewed.
     */
    private static final String AGE_MS = "(extract(epoch FROM now() - min(coalesce(locked_at, now()))) * 1000)::bigint";
    private static final SqlRows.TimeColumn TIME = PostgresProvider::instant;

    private static final String INSERT_INSTANCE = "INSERT INTO instances(instance_id, orchestration_name,"
            + " orchestration_version, status, current_execution_id, input, parent_instance_id, created_at, updated_at)"
            + " VALUES (?, ?, ?, 'PENDING', 1, ?, ?, now(), now()) ON CONFLICT (instance_id) DO NOTHING";
    private static final String INSERT_EXECUTION = "INSERT INTO executions(instance_id, execution_id, status,"
            + " initiated_by, started_at, turn_count, history_size) VALUES (?, ?, 'RUNNING', ?, now(), 0, 0)";
    private static final String INSERT_MESSAGE = "INSERT INTO orchestrator_queue(instance_id, execution_id,"
            + " message_json, visible_at, attempt_count, created_at) VALUES (?, ?::bigint, ?, coalesce(?, now()), 0, now())";

    private static final String READY_MESSAGE = " q.visible_at <= now() AND NOT EXISTS (SELECT 1 FROM instance_locks l"
            + " WHERE l.instance_id = q.instance_id AND l.locked_until > now())";
    /** The instance (row-locked, skipping those other fetchers hold) and current execution of the oldest ready message. */
    private static final String PICK_INSTANCE = "SELECT i.instance_id, i.orchestration_name,"
            + " i.orchestration_version, i.status, i.current_execution_id, i.input, i.output, i.failure_json,"
            + " i.custom_status, i.parent_instance_id, i.created_at, i.updated_at,"
            + " e.execution_id, e.initiated_by, e.started_at, e.turn_count"
            + " FROM orchestrator_queue q JOIN instances i ON i.instance_id = q.instance_id"
            + " LEFT JOIN executions e ON e.instance_id = i.instance_id AND e.execution_id = i.current_execution_id"
            + " WHERE" + READY_MESSAGE + " ORDER BY q.visible_at, q.id LIMIT 1 FOR UPDATE OF i SKIP LOCKED";
    private static final String DELETE_ORPHANS = "DELETE FROM orchestrator_queue q WHERE q.visible_at <= now()"
            + " AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.instance_id = q.instance_id) RETURNING q.instance_id";
    private static final String ORCHESTRATOR_NEXT_DUE = "SELECT extract(epoch FROM least("
            + "(SELECT min(visible_at) FROM orchestrator_queue WHERE visible_at > now()),"
            + " (SELECT min(locked_until) FROM instance_locks)) - clock_timestamp()) * 1000";
    /**
     * Takes the instance lock unless someone else holds an unexpired one, and marks the visible
     * messages with it, in one round trip: no rows back means the lock was not taken.
     */
    private static final String TAKE_LOCK_AND_MARK = "WITH taken AS (INSERT INTO instance_locks(instance_id,"
            + " lock_token, locked_until, locked_at) VALUES (?, ?, now() + ?" + MS + ", now()) ON CONFLICT (instance_id)"
            + " DO UPDATE SET lock_token = excluded.lock_token, locked_until = excluded.locked_until,"
            + " locked_at = excluded.locked_at"
            + " WHERE instance_locks.locked_until <= now() RETURNING instance_id, lock_token)"
            + " UPDATE orchestrator_queue q SET lock_token = t.lock_token, attempt_count = q.attempt_count + 1"
            + " FROM taken t WHERE q.instance_id = t.instance_id AND q.visible_at <= now()"
            + " RETURNING q.id, q.execution_id, q.message_json, q.attempt_count";
    private static final String SELECT_HISTORY = "SELECT event_id, event_json FROM history"
            + " WHERE instance_id = ? AND execution_id = ? ORDER BY event_id";

    /**
     * Releases the lock the token names, after row-locking its instance: the order fetches lock in
     * (instance row, then lock row), so a commit and a fetch taking over an expired lock cannot deadlock.
     * No row back means the lock is no longer held by the token.
     */
    private static final String HELD_INSTANCE = "WITH held AS (SELECT instance_id FROM instances WHERE instance_id ="
            + " (SELECT instance_id FROM instance_locks WHERE lock_token = ?) FOR UPDATE)";
    private static final String RELEASE_HELD_LOCK = HELD_INSTANCE
            + " DELETE FROM instance_locks l USING held h WHERE l.instance_id = h.instance_id AND l.lock_token = ?"
            + " RETURNING l.instance_id";
    /** Like {@link #RELEASE_HELD_LOCK}, but passes the lock to a token nobody holds, until now() plus a delay. */
    private static final String HOLD_HELD_LOCK = HELD_INSTANCE
            + " UPDATE instance_locks l SET lock_token = ?, locked_until = now() + ?" + MS
            + " FROM held h WHERE l.instance_id = h.instance_id AND l.lock_token = ? RETURNING l.instance_id";
    private static final String UPDATE_EXECUTION = "UPDATE executions SET turn_count = turn_count + 1,"
            + " history_size = history_size + ?, status = ?,"
            + " completed_at = CASE WHEN ? THEN now() ELSE completed_at END"
            + " WHERE instance_id = ? AND execution_id = ? RETURNING history_size";
    private static final String INSERT_HISTORY = "INSERT INTO history(instance_id, execution_id, event_id, event_type,"
            + " event_json) VALUES (?, ?, ?, ?, ?)";
    private static final String UPDATE_INSTANCE = "UPDATE instances SET status = ?,"
            + " orchestration_name = coalesce(?, orchestration_name),"
            + " orchestration_version = coalesce(?, orchestration_version), output = ?, failure_json = ?,"
            + " custom_status = CASE WHEN ? THEN ? ELSE custom_status END,"
            + " current_execution_id = coalesce(?::bigint, current_execution_id), updated_at = now()"
            + " WHERE instance_id = ?";
    private static final String INSERT_WORK_ITEM = "INSERT INTO worker_queue(instance_id, execution_id, task_id,"
            + " item_json, visible_at, attempt_count, created_at) VALUES (?, ?, ?, ?, now(), 0, now())";

    private static final String READY_WORK_ITEM = " visible_at <= now() AND (lock_token IS NULL OR locked_until <= now())";
    private static final String LOCK_WORK_ITEM = "UPDATE worker_queue SET lock_token = ?, locked_until = now() + ?" + MS
            + ", locked_at = now(), attempt_count = attempt_count + 1 WHERE id = (SELECT id FROM worker_queue WHERE" + READY_WORK_ITEM
            + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
            + " RETURNING id, instance_id, execution_id, task_id, item_json, attempt_count";
    private static final String ACTIVITY_NEXT_DUE = "SELECT extract(epoch FROM least("
            + "(SELECT min(visible_at) FROM worker_queue WHERE visible_at > now()),"
            + " (SELECT min(locked_until) FROM worker_queue WHERE lock_token IS NOT NULL)) - clock_timestamp()) * 1000";

    private static final String TREE = "WITH RECURSIVE tree(id) AS (SELECT instance_id FROM instances"
            + " WHERE instance_id = ? UNION SELECT i.instance_id FROM instances i JOIN tree t"
            + " ON i.parent_instance_id = t.id) SELECT i.instance_id, i.status FROM tree"
            + " JOIN instances i ON i.instance_id = tree.id ORDER BY i.instance_id FOR UPDATE OF i";
    private static final String ACTIVE_INSTANCES = SqlRows.activeInstancesSql("now()");
    /**
     * The complement of {@link #queueDepths} among due work: visible messages of instances under an unexpired
     * lock, and unexpired work item leases, each with the age in milliseconds of the oldest lock.
     */
    private static final String LOCKED_WORK = "WITH held AS (SELECT instance_id, locked_at FROM instance_locks"
            + " WHERE locked_until > now()), leased AS (SELECT locked_at FROM worker_queue WHERE lock_token IS NOT NULL"
            + " AND locked_until > now()) SELECT"
            + " (SELECT count(*) FROM orchestrator_queue q JOIN held h ON h.instance_id = q.instance_id"
            + " WHERE q.visible_at <= now()),"
            + " (SELECT coalesce(" + AGE_MS + ", 0) FROM held),"
            + " (SELECT count(*) FROM leased),"
            + " (SELECT coalesce(" + AGE_MS + ", 0) FROM leased)";
    private static final List<String> PURGED_TABLES =
            List.of("history", "executions", "orchestrator_queue", "worker_queue", "instance_locks", "instances");

    private final PostgresDatabase db;
    private final IdleGate orchestratorGate;
    private final IdleGate activityGate;
    private final WorkListener listener;
    private final WorkNotifier notifier;

    private PostgresProvider(PostgresDatabase db) {
        this.db = db;
        PostgresOptions options = db.options();
        this.orchestratorGate = new IdleGate(options.maxIdleWait());
        this.activityGate = new IdleGate(options.maxIdleWait());
        this.listener = new WorkListener(db::openDedicated, PostgresSchema.channel(options.schema()), orchestratorGate,
                activityGate).start();
        this.notifier = new WorkNotifier(db, PostgresSchema.channel(options.schema())).start();
    }

    /** Opens a provider on {@code jdbcUrl} (user and password may be URL parameters), schema {@code duroxide}. */
    public static PostgresProvider open(String jdbcUrl) {
        return open(PostgresOptions.of(jdbcUrl));
    }

    /**
     * Connects, creates or migrates the schema, and starts listening for new work.
     *
     * @throws ProviderException with one clear message if the server cannot be reached, refuses the
     *     credentials, or the schema belongs to something else
     */
    public static PostgresProvider open(PostgresOptions options) {
        Objects.requireNonNull(options, "options");
        return new PostgresProvider(PostgresDatabase.open(options));
    }

    /**
     * Drops the schema named in {@code options} with everything in it (tests and benchmarks use a
     * schema of their own and remove it afterwards). Providers on it must be closed first.
     */
    public static void dropSchema(PostgresOptions options) {
        Objects.requireNonNull(options, "options");
        try (PostgresDatabase db = PostgresDatabase.connectOnly(options)) {
            db.write("dropSchema", tx -> tx.update("DROP SCHEMA IF EXISTS \"" + options.schema() + "\" CASCADE"));
        }
    }

    public PostgresOptions options() {
        return db.options();
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String toString() {
        return "PostgresProvider[" + db.options().safeUrl() + ", schema " + db.options().schema() + "]";
    }

    private static long millis(Duration d) {
        return d == null || d.isNegative() ? 0 : d.toMillis();
    }

    private static String token() {
        return UUID.randomUUID().toString();
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** Own writes wake this process's idle dispatchers at once; other processes hear the notification. */
    private void orchestratorWork() {
        orchestratorGate.wake();
        notifier.orchestratorWork();
    }

    private void activityWork() {
        activityGate.wake();
        notifier.activityWork();
    }

    // ---------------------------------------------------------------- client writes

    @Override
    public void createInstance(NewInstance start) throws InstanceAlreadyExistsException {
        StoredForm.checkStart(start);
        String json = JSON.toJson(start.start());
        db.write("createInstance", tx -> {
            if (!insertInstance(tx, start.instanceId(), start.start())) {
                throw new InstanceAlreadyExistsException(start.instanceId(), statusOf(tx, start.instanceId()));
            }
            tx.update(INSERT_MESSAGE, start.instanceId(), 1L, json, null);
            return null;
        });
        orchestratorWork();
    }

    @Override
    public boolean signalWithStart(NewInstance start, OrchestratorMessage signal) {
        StoredForm.checkStart(start);
        Objects.requireNonNull(signal, "signal");
        boolean created = db.write("signalWithStart", tx -> {
            boolean inserted = insertInstance(tx, start.instanceId(), start.start());
            if (inserted) {
                enqueue(tx, start.startMessage(), null);
            }
            enqueue(tx, signal, null);
            return inserted;
        });
        orchestratorWork();
        return created;
    }

    @Override
    public void enqueueOrchestratorMessage(OrchestratorMessage message, Instant visibleAt)
            throws InstanceNotFoundException {
        Objects.requireNonNull(message, "message");
        String json = JSON.toJson(message.event());
        db.write("enqueueOrchestratorMessage", tx -> {
            int inserted = tx.update("INSERT INTO orchestrator_queue(instance_id, execution_id, message_json,"
                            + " visible_at, attempt_count, created_at) SELECT ?, ?::bigint, ?, coalesce(?, now()), 0, now()"
                            + " WHERE EXISTS (SELECT 1 FROM instances WHERE instance_id = ?)",
                    message.instanceId(), message.executionId(), json, timestamp(visibleAt), message.instanceId());
            if (inserted == 0) {
                throw new InstanceNotFoundException(message.instanceId());
            }
            return null;
        });
        orchestratorWork();
    }

    /** Inserts the instance row (PENDING) and its execution 1, unless the id exists. */
    private static boolean insertInstance(Tx tx, String instanceId, HistoryEvent.ExecutionStarted start)
            throws SQLException {
        int inserted = tx.update(INSERT_INSTANCE, instanceId, start.name(), start.version(), start.input(),
                start.parent() == null ? null : start.parent().instanceId());
        if (inserted == 0) {
            return false;
        }
        InitiatedBy initiatedBy = start.initiatedBy() == null ? InitiatedBy.CLIENT : start.initiatedBy();
        tx.update(INSERT_EXECUTION, instanceId, 1L, initiatedBy.name());
        return true;
    }

    private static RuntimeStatus statusOf(Tx tx, String instanceId) throws SQLException {
        String status = tx.queryString("SELECT status FROM instances WHERE instance_id = ?", instanceId);
        return status == null ? null : RuntimeStatus.valueOf(status);
    }

    private static void enqueue(Tx tx, OrchestratorMessage message, Instant visibleAt) throws SQLException {
        tx.update(INSERT_MESSAGE, message.instanceId(), message.executionId(), JSON.toJson(message.event()),
                timestamp(visibleAt));
    }

    // ---------------------------------------------------------------- orchestrator queue

    /** What a fetch transaction read, still serialised: parsing happens after the commit. */
    private record Locked(String token, InstanceStatus instance, ExecutionRecord execution, List<RawMessage> messages,
            List<HistoryRow> history) {}

    /** A fetch's result: the locked work, or when nothing was ready, how long until something stored is due. */
    private record Fetched<T>(T work, Duration nextDue) {}

    @Override
    public Optional<OrchestrationWorkItem> fetchOrchestrationItem(Duration lockTimeout) {
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        if (listener.listening() && orchestratorGate.isIdle()) {
            return Optional.empty();
        }
        long generation = orchestratorGate.generation();
        Fetched<Locked> fetched = db.writeVolatile("fetchOrchestrationItem", tx -> lockNextInstance(tx, timeout));
        Locked locked = fetched.work();
        if (locked == null) {
            orchestratorGate.idle(generation, fetched.nextDue());
            return Optional.empty();
        }
        orchestratorGate.busy();
        return Optional.of(SqlRows.workItem(locked.token(), locked.instance(), locked.execution(), locked.messages(),
                locked.history()));
    }

    private Fetched<Locked> lockNextInstance(Tx tx, long timeout) throws SQLException {
        for (int skip = 0; skip < MAX_SKIPS_PER_FETCH; skip++) {
            InstanceStatus instance;
            ExecutionRecord execution = null;
            try (ResultSet rs = tx.bind(PICK_INSTANCE).executeQuery()) {
                if (!rs.next()) {
                    instance = null;
                } else {
                    instance = SqlRows.instance(rs, PostgresProvider.class, TIME);
                    execution = SqlRows.execution(rs, 13, TIME);
                }
            }
            if (instance == null) {
                // Either nothing is ready, or only messages of instances that do not exist are.
                List<String> orphans = new ArrayList<>();
                try (ResultSet rs = tx.bind(DELETE_ORPHANS).executeQuery()) {
                    while (rs.next()) {
                        orphans.add(rs.getString(1));
                    }
                }
                if (!orphans.isEmpty()) {
                    LOG.log(Level.WARNING, "fetchOrchestrationItem: dropped {0} queued message(s) of instance(s) {1},"
                            + " which do not exist", orphans.size(), orphans.stream().distinct().toList());
                    continue;
                }
                return new Fetched<>(null, nextDue(tx, ORCHESTRATOR_NEXT_DUE));
            }
            String instanceId = instance.instanceId();
            String token = token();
            List<RawMessage> messages;
            try (ResultSet rs = tx.bind(TAKE_LOCK_AND_MARK, instanceId, token, timeout).executeQuery()) {
                messages = SqlRows.messages(rs);
            }
            if (messages.isEmpty()) {
                // Another fetcher took the instance between our look and our lock (the picked message
                // cannot vanish otherwise while we hold its instance row).
                continue;
            }
            List<HistoryRow> history = SqlRows.history(tx, SELECT_HISTORY, instanceId, instance.executionId());
            return new Fetched<>(new Locked(token, instance, execution, messages, history), null);
        }
        return new Fetched<>(null, Duration.ZERO);
    }

    private static Duration nextDue(Tx tx, String sql) throws SQLException {
        try (ResultSet rs = tx.bind(sql).executeQuery()) {
            rs.next();
            double ms = rs.getDouble(1);
            return rs.wasNull() ? null : Duration.ofNanos((long) (ms * 1_000_000));
        }
    }

    /**
     * Row-locks the instance held by the token and releases the lock, or throws {@link
     * io.duroxide.provider.LockLostException}. Returns the instance id.
     */
    private static String releaseHeldLock(Tx tx, String operation, String lockToken) throws SQLException {
        String instanceId = tx.queryString(RELEASE_HELD_LOCK, lockToken, lockToken);
        if (instanceId == null) {
            throw StoredForm.lockLost(operation, lockToken);
        }
        return instanceId;
    }

    @Override
    public void commitTurn(String lockToken, TurnWrite write) {
        Objects.requireNonNull(lockToken, "lockToken");
        TurnJson json = TurnJson.of(write);
        db.write("commitTurn", tx -> {
            String instanceId = releaseHeldLock(tx, "commitTurn", lockToken);
            tx.update("DELETE FROM orchestrator_queue WHERE instance_id = ? AND lock_token = ?", instanceId, lockToken);

            Long historySize;
            try (ResultSet rs = tx.bind(UPDATE_EXECUTION, write.newEvents().size(),
                    StoredForm.executionStatus(write), write.terminal(), instanceId, write.executionId()).executeQuery()) {
                historySize = rs.next() ? rs.getLong(1) : null;
            }
            if (historySize == null) {
                throw new ProviderException("commitTurn", "execution " + write.executionId() + " of instance '"
                        + instanceId + "' does not exist", false, null);
            }
            SqlRows.appendHistory(tx, INSERT_HISTORY, instanceId, write.executionId(), historySize, write.newEvents(),
                    json.events());

            tx.update(UPDATE_INSTANCE, write.status().name(), write.name(), write.version(), write.output(),
                    json.failure(), write.customStatusChanged(), write.customStatus(),
                    write.continueAsNewExecutionId(), instanceId);
            if (write.continueAsNewExecutionId() != null) {
                tx.update(INSERT_EXECUTION, instanceId, write.continueAsNewExecutionId(),
                        InitiatedBy.CONTINUE_AS_NEW.name());
            }

            if (!json.activities().isEmpty()) {
                PreparedStatement p = tx.bind(INSERT_WORK_ITEM);
                for (int i = 0; i < json.activities().size(); i++) {
                    ActivityWorkItem item = write.activities().get(i);
                    p.setString(1, item.instanceId());
                    p.setLong(2, item.executionId());
                    p.setInt(3, item.taskId());
                    p.setString(4, json.activities().get(i));
                    p.addBatch();
                }
                p.executeBatch();
            }

            if (!json.messages().isEmpty()) {
                for (TimedMessage m : write.messages()) {
                    OrchestratorMessage message = m.message();
                    if (message.event() instanceof HistoryEvent.ExecutionStarted started
                            && !message.instanceId().equals(instanceId)) {
                        insertInstance(tx, message.instanceId(), started);
                    }
                }
                PreparedStatement p = tx.bind(INSERT_MESSAGE);
                for (int i = 0; i < json.messages().size(); i++) {
                    TimedMessage m = write.messages().get(i);
                    p.setString(1, m.message().instanceId());
                    if (m.message().executionId() == null) {
                        p.setNull(2, Types.BIGINT);
                    } else {
                        p.setLong(2, m.message().executionId());
                    }
                    p.setString(3, json.messages().get(i));
                    p.setObject(4, timestamp(m.visibleAt()), Types.TIMESTAMP_WITH_TIMEZONE);
                    p.addBatch();
                }
                p.executeBatch();
            }

            if (write.terminal()) {
                tx.update("DELETE FROM worker_queue WHERE instance_id = ?", instanceId);
            }
            return null;
        });
        orchestratorWork();
        if (!write.activities().isEmpty()) {
            activityWork();
        }
    }

    @Override
    public void abandonOrchestrationItem(String lockToken, Duration delay) {
        Objects.requireNonNull(lockToken, "lockToken");
        long delayMs = millis(delay);
        db.writeVolatile("abandonOrchestrationItem", tx -> {
            // The delay holds back the instance, not just the messages put back: one enqueued meanwhile (an event
            // for a start that waits for a runtime registering it) must not be fetched without them.
            String instanceId = tx.queryString(HOLD_HELD_LOCK, lockToken, token(), delayMs, lockToken);
            if (instanceId == null) {
                throw StoredForm.lockLost("abandonOrchestrationItem", lockToken);
            }
            tx.update("UPDATE orchestrator_queue SET lock_token = NULL WHERE instance_id = ? AND lock_token = ?",
                    instanceId, lockToken);
            return null;
        });
        orchestratorWork();
    }

    @Override
    public void renewOrchestrationLock(String lockToken, Duration lockTimeout) {
        Objects.requireNonNull(lockToken, "lockToken");
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        updateHeldLock("renewOrchestrationLock", lockToken,
                "UPDATE instance_locks SET locked_until = now() + ?" + MS + ", locked_at = now() WHERE lock_token = ?", timeout, lockToken);
    }

    // ---------------------------------------------------------------- worker queue

    @Override
    public Optional<ActivityLease> fetchActivity(Duration lockTimeout) {
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        if (listener.listening() && activityGate.isIdle()) {
            return Optional.empty();
        }
        long generation = activityGate.generation();
        Fetched<ActivityLease> fetched = db.writeVolatile("fetchActivity", tx -> {
            for (int skip = 0; skip < MAX_SKIPS_PER_FETCH; skip++) {
                String token = token();
                long id;
                String instanceId;
                long executionId;
                int taskId;
                String json;
                int attempts;
                try (ResultSet rs = tx.bind(LOCK_WORK_ITEM, token, timeout).executeQuery()) {
                    if (!rs.next()) {
                        return new Fetched<ActivityLease>(null, nextDue(tx, ACTIVITY_NEXT_DUE));
                    }
                    id = rs.getLong(1);
                    instanceId = rs.getString(2);
                    executionId = rs.getLong(3);
                    taskId = rs.getInt(4);
                    json = rs.getString(5);
                    attempts = rs.getInt(6);
                }
                try {
                    return new Fetched<>(new ActivityLease(token, JSON.fromJson(json, ActivityWorkItem.class), attempts),
                            null);
                } catch (RuntimeException e) {
                    failUnreadableWorkItem(tx, id, instanceId, executionId, taskId, e);
                }
            }
            return new Fetched<ActivityLease>(null, Duration.ZERO);
        });
        if (fetched.work() == null) {
            activityGate.idle(generation, fetched.nextDue());
            return Optional.empty();
        }
        activityGate.busy();
        return Optional.of(fetched.work());
    }

    /**
     * A work item that cannot be deserialised would be fetched forever; instead it is removed and its
     * orchestration receives an infrastructure failure for the task, in the same transaction.
     */
    private static void failUnreadableWorkItem(Tx tx, long id, String instanceId, long executionId, int taskId,
            RuntimeException error) throws SQLException {
        String message = "activity work item " + id + " (task " + taskId + ") cannot be read: " + error.getMessage();
        LOG.log(Level.WARNING, "fetchActivity: instance ''{0}'': {1}", instanceId, message);
        FailureDetails failure = StoredForm.unreadableWorkItem(PostgresProvider.class, message);
        tx.update("DELETE FROM worker_queue WHERE id = ?", id);
        enqueue(tx, new OrchestratorMessage(instanceId, executionId,
                new HistoryEvent.ActivityFailed(System.currentTimeMillis(), taskId, failure)), null);
    }

    @Override
    public void completeActivity(String lockToken, OrchestratorMessage completion) {
        Objects.requireNonNull(lockToken, "lockToken");
        Objects.requireNonNull(completion, "completion");
        String json = JSON.toJson(completion.event());
        db.write("completeActivity", tx -> {
            if (tx.queryString("DELETE FROM worker_queue WHERE lock_token = ? RETURNING id", lockToken) == null) {
                throw StoredForm.lockLost("completeActivity", lockToken);
            }
            tx.update(INSERT_MESSAGE, completion.instanceId(), completion.executionId(), json, null);
            return null;
        });
        orchestratorWork();
    }

    @Override
    public void abandonActivity(String lockToken, Duration delay) {
        Objects.requireNonNull(lockToken, "lockToken");
        long delayMs = millis(delay);
        updateHeldLock("abandonActivity", lockToken, "UPDATE worker_queue SET lock_token = NULL, locked_until = NULL,"
                + " visible_at = now() + ?" + MS + " WHERE lock_token = ?", delayMs, lockToken);
        activityWork();
    }

    @Override
    public void renewActivityLock(String lockToken, Duration lockTimeout) {
        Objects.requireNonNull(lockToken, "lockToken");
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        updateHeldLock("renewActivityLock", lockToken,
                "UPDATE worker_queue SET locked_until = now() + ?" + MS + ", locked_at = now() WHERE lock_token = ?", timeout, lockToken);
    }

    /** Runs an update that must touch the row(s) held by the token; none means the lock was lost. */
    private void updateHeldLock(String operation, String lockToken, String sql, Object... args) {
        db.writeVolatile(operation, tx -> SqlRows.updateHeldLock(tx, operation, lockToken, sql, args));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<InstanceStatus> getInstance(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return Optional.ofNullable(db.read("getInstance", tx -> SqlRows.instanceById(tx, instanceId, PostgresProvider.class, TIME)));
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
                return SqlRows.instances(rs, PostgresProvider.class, TIME);
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
            String[] idArray = ids.toArray(String[]::new);
            for (String table : PURGED_TABLES) {
                tx.update("DELETE FROM " + table + " WHERE instance_id = ANY(?)", (Object) idArray);
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
            try (ResultSet rs = tx.bind("SELECT"
                    + " (SELECT count(*) FROM orchestrator_queue q WHERE" + READY_MESSAGE + "),"
                    + " (SELECT count(*) FROM worker_queue WHERE" + READY_WORK_ITEM + ")").executeQuery()) {
                rs.next();
                return new QueueDepths(rs.getLong(1), rs.getLong(2));
            }
        });
    }

    @Override
    public Optional<LockedWork> lockedWork() {
        return db.read("lockedWork", tx -> {
            try (ResultSet rs = tx.bind(LOCKED_WORK).executeQuery()) {
                rs.next();
                return Optional.of(new LockedWork(rs.getLong(1), Duration.ofMillis(rs.getLong(2)), rs.getLong(3),
                        Duration.ofMillis(rs.getLong(4))));
            }
        });
    }

    @Override
    public List<ActiveInstanceCount> countActiveInstances() {
        return db.read("countActiveInstances", tx -> {
            try (ResultSet rs = tx.bind(ACTIVE_INSTANCES).executeQuery()) {
                return SqlRows.activeInstances(rs);
            }
        });
    }

    @Override
    public void close() {
        notifier.close();
        listener.close();
        db.close();
    }
}
