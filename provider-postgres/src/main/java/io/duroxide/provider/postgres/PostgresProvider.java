package io.duroxide.provider.postgres;

import io.duroxide.api.InstanceStatus;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.TurnWrite;
import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.JdbcProvider;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlRows.RawMessage;
import io.duroxide.provider.jdbc.SqlTx;
import io.duroxide.provider.jdbc.StoredForm;
import io.duroxide.provider.jdbc.StoredForm.TurnJson;
import java.lang.System.Logger.Level;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link Provider} on PostgreSQL, for any number of runtime processes on any number of hosts
 * sharing one database. Semantics are those of the built-in SQLite provider; what differs is how
 * many fetchers avoid each other and how idle ones wait.
 *
 * <ul>
 *   <li><b>Schema.</b> {@link #open(PostgresOptions)} creates the configured schema and its tables on
 *       first use, or migrates them, under an advisory lock (runtimes starting together migrate once).
 *   <li><b>Queues.</b> A fetch locks the {@code instances} row of the next ready message (in the order
 *       {@link Provider#fetchOrchestrationItem} gives) with
 *       {@code FOR UPDATE SKIP LOCKED}, then takes the instance lock row; activity work items are
 *       claimed with {@code FOR UPDATE SKIP LOCKED} too. Concurrent fetchers therefore never wait for
 *       each other: each takes the next instance nobody else is taking.
 *   <li><b>Time.</b> Lock expiry, renewal and visibility are computed by the database ({@code now()}
 *       of the fetching transaction), so hosts with skewed clocks agree about who holds a lock. Timer
 *       messages carry the absolute time the engine chose.
 *   <li><b>One transaction per turn.</b> {@link #commitTurn} checks the lock, appends history, updates
 *       instance and execution, enqueues activities, timers and messages and releases the lock in one
 *       transaction, most turns in two statements ({@link PostgresTurnCommit}). Serialization failures and
 *       deadlocks are retried as a whole.
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
 *
 * <p>What it shares with the other SQL stores (client writes, the turn commit, completion, reads, management)
 * is in {@link JdbcProvider}, what differs in {@link PostgresDialect}; fetching and waiting for work are its own.
 */
public final class PostgresProvider extends JdbcProvider {
    private static final System.Logger LOG = System.getLogger(PostgresProvider.class.getName());

    /** The instance whose turn is next (row-locked, skipping those other fetchers hold) and its current execution. */
    private static final String PICK_INSTANCE = "SELECT i.instance_id, i.orchestration_name,"
            + " i.orchestration_version, i.status, i.current_execution_id, i.input, i.output, i.failure_json,"
            + " i.custom_status, i.parent_instance_id, i.created_at, i.updated_at,"
            + " e.execution_id, e.initiated_by, e.started_at, e.turn_count"
            + " FROM orchestrator_queue q JOIN instances i ON i.instance_id = q.instance_id"
            + " LEFT JOIN executions e ON e.instance_id = i.instance_id AND e.execution_id = i.current_execution_id"
            + " WHERE" + PostgresDialect.INSTANCE.render(READY_MESSAGE)
            + FetchRank.MESSAGE_ORDER + " LIMIT 1 FOR UPDATE OF i SKIP LOCKED";
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
            + " lock_token, locked_until, locked_at) VALUES (?, ?, now() + ?" + PostgresDialect.INTERVAL_MS + ", now())"
            + " ON CONFLICT (instance_id)"
            + " DO UPDATE SET lock_token = excluded.lock_token, locked_until = excluded.locked_until,"
            + " locked_at = excluded.locked_at"
            + " WHERE instance_locks.locked_until <= now() RETURNING instance_id, lock_token)"
            + " UPDATE orchestrator_queue q SET lock_token = t.lock_token, attempt_count = q.attempt_count + 1"
            + " FROM taken t WHERE q.instance_id = t.instance_id AND q.visible_at <= now()"
            + " RETURNING q.id, q.execution_id, q.message_json, q.attempt_count";
    private static final String LOCK_WORK_ITEM = "UPDATE worker_queue SET lock_token = ?,"
            + " locked_until = now() + ?" + PostgresDialect.INTERVAL_MS + ", locked_at = now(), attempt_count = attempt_count + 1"
            + " WHERE id = (SELECT w.id FROM worker_queue w WHERE" + PostgresDialect.INSTANCE.render(READY_WORK_ITEM)
            + FetchRank.WORK_ITEM_ORDER + " LIMIT 1 FOR UPDATE SKIP LOCKED)"
            + " RETURNING id, instance_id, execution_id, task_id, item_json, attempt_count";
    private static final String ACTIVITY_NEXT_DUE = "SELECT extract(epoch FROM least("
            + "(SELECT min(visible_at) FROM worker_queue WHERE visible_at > now()),"
            + " (SELECT min(locked_until) FROM worker_queue WHERE lock_token IS NOT NULL)) - clock_timestamp()) * 1000";

    private final PostgresDatabase postgres;
    private final IdleGate orchestratorGate;
    private final IdleGate activityGate;
    private final WorkListener listener;
    private final WorkNotifier notifier;

    private PostgresProvider(PostgresDatabase db) {
        super(db, PostgresDialect.INSTANCE);
        this.postgres = db;
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
        return postgres.options();
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String toString() {
        return "PostgresProvider[" + postgres.options().safeUrl() + ", schema " + postgres.options().schema() + "]";
    }

    /** Own writes wake this process's idle dispatchers at once; other processes hear the notification. */
    @Override
    protected void orchestratorWorkAdded() {
        orchestratorGate.wake();
        notifier.orchestratorWork();
    }

    @Override
    protected void activityWorkAdded() {
        activityGate.wake();
        notifier.activityWork();
    }

    // ---------------------------------------------------------------- orchestrator queue

    /**
     * The turn's write as two statements instead of one round trip per table: the lock release (or {@link
     * io.duroxide.provider.LockLostException}), then the rest in one ({@link PostgresTurnCommit}); the rare effects
     * (a child's instance row, a continue-as-new execution) stay statements of their own in the same transaction.
     */
    @Override
    protected void writeTurn(SqlTx tx, String lockToken, TurnWrite write, TurnJson json) throws SQLException {
        String instanceId = dialect.releaseInstanceLock(tx, lockToken);
        if (instanceId == null) {
            throw StoredForm.lockLost("commitTurn", lockToken);
        }
        PostgresTurnCommit.write(tx, instanceId, lockToken, write, json);
        Object clock = dialect.clock();
        startChildren(tx, clock, instanceId, write);
        continueAsNew(tx, clock, instanceId, write);
    }

    /** A fetch's result: the locked work, or when nothing was ready, how long until something stored is due. */
    private record Fetched<T>(T work, Duration nextDue) {}

    @Override
    public Optional<OrchestrationWorkItem> fetchOrchestrationItem(Duration lockTimeout) {
        long timeout = millis(Objects.requireNonNull(lockTimeout, "lockTimeout"));
        if (listener.listening() && orchestratorGate.isIdle()) {
            return Optional.empty();
        }
        long generation = orchestratorGate.generation();
        Fetched<LockedInstance> fetched = db.writeVolatile("fetchOrchestrationItem", tx -> lockNextInstance(tx, timeout));
        LockedInstance locked = fetched.work();
        if (locked == null) {
            orchestratorGate.idle(generation, fetched.nextDue());
            return Optional.empty();
        }
        orchestratorGate.busy();
        return Optional.of(locked.workItem());
    }

    private Fetched<LockedInstance> lockNextInstance(SqlTx tx, long timeout) throws SQLException {
        for (int skip = 0; skip < MAX_SKIPS_PER_FETCH; skip++) {
            InstanceStatus instance;
            ExecutionRecord execution = null;
            try (ResultSet rs = tx.bind(PICK_INSTANCE).executeQuery()) {
                if (!rs.next()) {
                    instance = null;
                } else {
                    instance = SqlRows.instance(rs, PostgresProvider.class, dialect.time());
                    execution = SqlRows.execution(rs, 13, dialect.time());
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
            return new Fetched<>(locked(tx, token, instance, execution, messages), null);
        }
        return new Fetched<>(null, Duration.ZERO);
    }

    private static Duration nextDue(SqlTx tx, String sql) throws SQLException {
        try (ResultSet rs = tx.bind(sql).executeQuery()) {
            rs.next();
            double ms = rs.getDouble(1);
            return rs.wasNull() ? null : Duration.ofNanos((long) (ms * 1_000_000));
        }
    }

    // ---------------------------------------------------------------- worker queue

    /** A batch of results as one statement ({@link PostgresCompletions}) instead of two per result. */
    @Override
    protected Set<String> writeCompletions(SqlTx tx, List<ActivityCompletion> completions, List<String> json)
            throws SQLException {
        return PostgresCompletions.write(tx, completions, json);
    }

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
                    failUnreadableWorkItem(tx, id, token, instanceId, executionId, taskId, e);
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

    @Override
    public void close() {
        notifier.close();
        listener.close();
        postgres.close();
    }
}
