package io.duroxide.provider.postgres;

import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.TurnWrite;
import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.JdbcProvider;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlDatabase;
import io.duroxide.provider.jdbc.SqlRows.RawWorkItem;
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
import java.util.Set;

/**
 * A {@link Provider} on PostgreSQL, for any number of runtime processes on any number of hosts
 * sharing one database. Semantics are those of the built-in SQLite provider; what differs is how
 * many fetchers avoid each other and how idle ones wait.
 *
 * <ul>
 *   <li><b>Schema.</b> {@link #open(PostgresOptions)} creates the configured schema and its tables on
 *       first use, or migrates them, under an advisory lock (runtimes starting together migrate once).
 *   <li><b>Queues.</b> A fetch row-locks the {@code instances} rows of the next ready instances (in the order
 *       {@link Provider#fetchOrchestrationItem} gives) with {@code FOR UPDATE SKIP LOCKED}, then takes their
 *       instance lock rows, as many as the dispatcher has idle slots in three statements
 *       ({@link PostgresInstanceFetch}); activity work items are leased with {@code FOR UPDATE SKIP LOCKED}
 *       too, a batch in one statement. Concurrent fetchers therefore never wait for each other: each takes the
 *       next instances nobody else is taking.
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

    /** {@link JdbcProvider#READY_MESSAGE} in this dialect, for {@link PostgresInstanceFetch}. */
    static final String READY = PostgresDialect.INSTANCE.render(READY_MESSAGE);

    private static final String DELETE_ORPHANS = "DELETE FROM orchestrator_queue q WHERE q.visible_at <= now()"
            + " AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.instance_id = q.instance_id) RETURNING q.instance_id";
    private static final String ORCHESTRATOR_NEXT_DUE = "SELECT extract(epoch FROM least("
            + "(SELECT min(visible_at) FROM orchestrator_queue WHERE visible_at > now()),"
            + " (SELECT min(locked_until) FROM instance_locks)) - clock_timestamp()) * 1000";
    /**
     * Leases up to N ready work items in one statement, the first in lease order, skipping rows other fetchers are
     * leasing. Each gets its own token, the fetch's random prefix followed by the row id, so a token names one lease
     * of one row.
     */
    private static final String LEASE_WORK_ITEMS = "WITH picked AS (SELECT w.id FROM worker_queue w WHERE"
            + PostgresDialect.INSTANCE.render(READY_WORK_ITEM) + FetchRank.WORK_ITEM_ORDER + " LIMIT ? FOR UPDATE SKIP LOCKED)"
            + " UPDATE worker_queue item SET lock_token = ? || item.id, locked_until = now() + ?" + PostgresDialect.INTERVAL_MS
            + ", locked_at = now(), attempt_count = item.attempt_count + 1 FROM picked p WHERE item.id = p.id"
            + " RETURNING item.id, item.instance_id, item.execution_id, item.task_id, item.item_json, item.attempt_count,"
            + " item.lock_token";
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

    /**
     * Wakes only this process's dispatchers: what the released instance has waiting is this process's to fetch,
     * and a notification to every process after each turn would cost a transaction and wake fetchers that would
     * find the instance taken.
     */
    @Override
    protected void instanceReleased() {
        orchestratorGate.wake();
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

    /** A start in one statement ({@link PostgresStart}) instead of three. */
    @Override
    protected boolean insertStart(SqlTx tx, Object clock, NewInstance start) throws SQLException {
        return PostgresStart.insert(tx, start);
    }

    /** An eager start in one statement ({@link PostgresStart}) instead of four. */
    @Override
    protected LockedInstance insertStartLocked(SqlTx tx, Object clock, NewInstance start, String token, long timeoutMs)
            throws SQLException {
        return PostgresStart.insertLocked(tx, start, token, timeoutMs);
    }

    /** A fetch's result: the locked work, or when nothing was ready, how long until something stored is due. */
    private record Fetched<T>(T work, Duration nextDue) {}

    /** Up to {@code max} instances in one transaction of three statements ({@link PostgresInstanceFetch}). */
    @Override
    protected List<OrchestrationWorkItem> lockInstances(String operation, long timeout, int max) {
        return gated(orchestratorGate, operation, tx -> lockNextInstances(tx, timeout, max)).stream()
                .map(LockedInstance::workItem).toList();
    }

    /**
     * Fetches unless the queue's gate says it is idle; an empty fetch idles the gate until what it reported is due
     * (or a notification arrives), any other opens it.
     */
    private <T> List<T> gated(IdleGate gate, String operation, SqlDatabase.Work<Fetched<List<T>>> fetch) {
        if (listener.listening() && gate.isIdle()) {
            return List.of();
        }
        long generation = gate.generation();
        Fetched<List<T>> fetched = db.writeVolatile(operation, fetch);
        if (fetched.work().isEmpty()) {
            gate.idle(generation, fetched.nextDue());
        } else {
            gate.busy();
        }
        return fetched.work();
    }

    private Fetched<List<LockedInstance>> lockNextInstances(SqlTx tx, long timeout, int max) throws SQLException {
        for (int skip = 0; skip < MAX_SKIPS_PER_FETCH; skip++) {
            List<PostgresInstanceFetch.Picked> picked = PostgresInstanceFetch.pick(tx, max);
            if (picked.isEmpty()) {
                // Either nothing is ready, or only messages of instances that do not exist are.
                if (dropOrphans(tx)) {
                    continue;
                }
                return new Fetched<>(List.of(), nextDue(tx, ORCHESTRATOR_NEXT_DUE));
            }
            List<String> tokens = picked.stream().map(p -> dialect.instanceLockToken(p.instanceId())).toList();
            List<LockedInstance> locked = PostgresInstanceFetch.lock(tx, picked, tokens, timeout);
            if (!locked.isEmpty()) {
                return new Fetched<>(locked, null);
            }
            // Other fetchers took every picked instance between our look and our lock: look again.
        }
        return new Fetched<>(List.of(), Duration.ZERO);
    }

    /** Deletes visible messages of instances that do not exist; true if there were any. */
    private static boolean dropOrphans(SqlTx tx) throws SQLException {
        List<String> orphans = new ArrayList<>();
        try (ResultSet rs = tx.bind(DELETE_ORPHANS).executeQuery()) {
            while (rs.next()) {
                orphans.add(rs.getString(1));
            }
        }
        if (orphans.isEmpty()) {
            return false;
        }
        LOG.log(Level.WARNING, "fetchOrchestrationItem: dropped {0} queued message(s) of instance(s) {1},"
                + " which do not exist", orphans.size(), orphans.stream().distinct().toList());
        return true;
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

    /**
     * Up to {@code max} work items in one statement, each under its own token, in one transaction with the failure of
     * any unreadable one back to its orchestration.
     */
    @Override
    protected List<ActivityLease> leaseActivities(String operation, long timeout, int max) {
        return gated(activityGate, operation, tx -> {
            boolean[] unreadable = {false};
            List<ActivityLease> leases = readableLeases(max, n -> leaseWorkItems(tx, timeout, n), (row, error) -> {
                unreadable[0] = true;
                failUnreadableWorkItem(tx, row.id(), row.token(), row.instanceId(), row.executionId(), row.taskId(),
                        error);
            });
            // Only unreadable items this time: more may be ready, which the next-due query does not count.
            Duration nextDue = !leases.isEmpty() ? null : unreadable[0] ? Duration.ZERO : nextDue(tx, ACTIVITY_NEXT_DUE);
            return new Fetched<>(leases, nextDue);
        });
    }

    private static List<RawWorkItem> leaseWorkItems(SqlTx tx, long timeout, int max) throws SQLException {
        try (ResultSet rs = tx.bind(LEASE_WORK_ITEMS, max, token() + ":", timeout).executeQuery()) {
            return SqlRows.workItems(rs);
        }
    }

    @Override
    public void close() {
        notifier.close();
        listener.close();
        postgres.close();
    }
}
