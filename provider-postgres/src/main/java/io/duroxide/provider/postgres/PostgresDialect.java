package io.duroxide.provider.postgres;

import io.duroxide.provider.jdbc.SqlDialect;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlTx;
import io.duroxide.provider.jdbc.StoredForm;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * PostgreSQL's side of the shared provider: times are {@code timestamptz} and computed by the database
 * ({@code now()} of the transaction), so hosts with skewed clocks agree about who holds a lock; id lists are
 * arrays; lock tokens are random and unique, and a turn's lock is released after row-locking its instance.
 */
enum PostgresDialect implements SqlDialect {
    INSTANCE;

    /** A number of milliseconds, as an interval to add to a time. */
    static final String INTERVAL_MS = " * interval '1 millisecond'";

    /**
     * Finds the instance a lock token holds and row-locks it: the order fetches lock in (instance row, then lock
     * row), so a commit and a fetch taking over an expired lock cannot deadlock.
     */
    private static final String HELD_INSTANCE = "WITH held AS (SELECT instance_id FROM instances WHERE instance_id ="
            + " (SELECT instance_id FROM instance_locks WHERE lock_token = ?) FOR UPDATE)";
    /**
     * Releases the lock the token names; no row back means the lock is no longer held by the token. It is the first
     * statement of a turn's commit, and it has the rest of that transaction use generic plans: left to choose, the
     * planner makes a fresh plan for every execution of the turn's write ({@link PostgresTurnCommit}), because it
     * rates plans that know which of its parts the turn leaves empty cheaper than one for all turns, yet making such
     * a plan took longer than running it (0.55 against 0.33 ms a commit). The setting ends with the transaction.
     */
    private static final String RELEASE_HELD_LOCK = HELD_INSTANCE
            + " DELETE FROM instance_locks l USING held h WHERE l.instance_id = h.instance_id AND l.lock_token = ?"
            + " RETURNING l.instance_id, set_config('plan_cache_mode', 'force_generic_plan', true)";
    /** Like {@link #RELEASE_HELD_LOCK}, but passes the lock to a hold token, until now() plus a delay. */
    private static final String HOLD_HELD_LOCK = HELD_INSTANCE
            + " UPDATE instance_locks l SET lock_token = ?, locked_until = now() + ?" + INTERVAL_MS
            + " FROM held h WHERE l.instance_id = h.instance_id AND l.lock_token = ? RETURNING l.instance_id";

    private static final SqlRows.TimeColumn TIME = PostgresDialect::instant;

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    @Override
    public String nowSql() {
        return "now()";
    }

    @Override
    public String valueSql(int n, boolean millis) {
        return millis ? "(?" + INTERVAL_MS + ")" : "?";
    }

    /** None: the database reads its own clock. */
    @Override
    public Object clock() {
        return null;
    }

    @Override
    public Object[] args(Object clock, Object... values) {
        return values;
    }

    @Override
    public Object timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    @Override
    public SqlRows.TimeColumn time() {
        return TIME;
    }

    @Override
    public String isOneOf(String column) {
        return column + " = ANY(?)";
    }

    @Override
    public Object idList(List<String> ids) {
        return ids.toArray(String[]::new);
    }

    /*
     * The columns of a set-based statement: one value per element of values, as a typed Java array, which the driver
     * sends in PostgreSQL's binary form (an array from Connection.createArrayOf goes as text, escaped element by
     * element here and parsed again by the server).
     */

    static <T> String[] texts(List<T> values, Function<T, String> column) {
        return values.stream().map(column).toArray(String[]::new);
    }

    static <T> Long[] bigints(List<T> values, Function<T, Long> column) {
        return values.stream().map(column).toArray(Long[]::new);
    }

    static <T> Integer[] integers(List<T> values, Function<T, Integer> column) {
        return values.stream().map(column).toArray(Integer[]::new);
    }

    /** Row locks in a fixed order, so that two purges of overlapping trees cannot deadlock. */
    @Override
    public String lockForDelete(String alias, String orderBy) {
        return " ORDER BY " + orderBy + " FOR UPDATE OF " + alias;
    }

    @Override
    public String laterOf(String time, String otherTime) {
        return "greatest(" + time + ", " + otherTime + ")";
    }

    @Override
    public String minusMillis(String time, long millis) {
        return "(" + time + " - interval '" + millis + " milliseconds')";
    }

    @Override
    public String millisSince(String expression) {
        return "(extract(epoch FROM {now} - " + expression + ") * 1000)::bigint";
    }

    /** By the token itself, which is unique (instance locks) or indexed (work items). */
    @Override
    public String heldBy(String keyColumn) {
        return "lock_token = ?";
    }

    @Override
    public String instanceLockToken(String instanceId) {
        return UUID.randomUUID().toString();
    }

    @Override
    public Object[] heldByArgs(String lockToken, boolean workItem) {
        return new Object[] {lockToken};
    }

    @Override
    public String releaseInstanceLock(SqlTx tx, String lockToken) throws SQLException {
        return tx.queryString(RELEASE_HELD_LOCK, lockToken, lockToken);
    }

    @Override
    public String holdInstanceLock(SqlTx tx, String lockToken, long delayMs) throws SQLException {
        return tx.queryString(HOLD_HELD_LOCK, lockToken, StoredForm.holdToken(), delayMs, lockToken);
    }
}
