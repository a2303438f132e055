package io.duroxide.provider.jdbc;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * What really differs between the SQL stores behind {@link JdbcProvider}, which share one table layout: whose
 * clock a statement reads, how times and lists of ids are bound and read, how a lock token finds the row it
 * holds, and how a turn's instance lock is released or held back.
 *
 * <p>The shared statements are written once as templates: {@code ?} is a value, {@code {ms}} a value that is a
 * number of milliseconds (added to a time), and {@code {now}} the current time. {@link #render} turns a template
 * into this store's SQL, {@link #args} its values into the statement's parameters, with the reading of
 * {@link #clock()} that the whole transaction shares.
 */
public interface SqlDialect {
    String NOW = "{now}";
    String MILLIS = "{ms}";

    /** The SQL for {@code {now}}: a parameter holding {@link #clock()}, or the database's own clock. */
    String nowSql();

    /** The SQL for the {@code n}th value of a template (from 1), a plain value or ({@code millis}) a duration in ms. */
    String valueSql(int n, boolean millis);

    /** Read once per transaction: the time {@code {now}} binds, or null where the database reads its own clock. */
    Object clock();

    /** The parameters of a rendered statement: its values in template order, with the clock where it binds one. */
    Object[] args(Object clock, Object... values);

    /** A point in time as this store binds it (null stays null). */
    Object timestamp(Instant instant);

    /** How this store's time columns read back. */
    SqlRows.TimeColumn time();

    /** A condition that {@code column} is one of the ids of one parameter bound to {@link #idList}. */
    String isOneOf(String column);

    Object idList(List<String> ids);

    /** What a query selecting rows of {@code alias} that are about to be deleted appends to lock them, in order. */
    String lockForDelete(String alias, String orderBy);

    /** An expression: the later of two times. */
    String laterOf(String time, String otherTime);

    /** An expression: the time {@code time} less a fixed number of milliseconds. */
    String minusMillis(String time, long millis);

    /** An expression: milliseconds from the time {@code expression} (a template) to {@code {now}}. */
    String millisSince(String expression);

    /**
     * A template condition finding the row that a lock token holds, in the table whose key is {@code keyColumn}
     * ({@code instance_locks} by instance id, {@code worker_queue} by work item id); values: {@link #heldByArgs}.
     */
    String heldBy(String keyColumn);

    /** A new token for a lock of the instance {@code instanceId}, of the form {@link #heldBy} finds. */
    String instanceLockToken(String instanceId);

    /** The values of {@link #heldBy} for an instance lock's token, or ({@code workItem}) a work item lease's. */
    Object[] heldByArgs(String lockToken, boolean workItem);

    /** Deletes the instance lock the token holds (the turn is committing): the instance's id, or null if it is not held. */
    String releaseInstanceLock(SqlTx tx, String lockToken) throws SQLException;

    /**
     * Passes the instance lock the token holds to a hold ({@link StoredForm#holdToken}) that ends after
     * {@code delayMs}: the instance's id, or null if it is not held.
     */
    String holdInstanceLock(SqlTx tx, String lockToken, long delayMs) throws SQLException;

    /** This store's SQL for a template. */
    default String render(String template) {
        StringBuilder sql = new StringBuilder(template.length() + 32);
        int values = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '?') {
                sql.append(valueSql(++values, false));
            } else if (template.startsWith(MILLIS, i)) {
                sql.append(valueSql(++values, true));
                i += MILLIS.length() - 1;
            } else if (template.startsWith(NOW, i)) {
                sql.append(nowSql());
                i += NOW.length() - 1;
            } else {
                sql.append(c);
            }
        }
        return sql.toString();
    }
}
