package io.duroxide.provider.sqlite;

import io.duroxide.api.JsonConverter;
import io.duroxide.provider.jdbc.SqlDialect;
import io.duroxide.provider.jdbc.SqlRows;
import io.duroxide.provider.jdbc.SqlTx;
import io.duroxide.provider.jdbc.StoredForm;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * SQLite's side of the shared provider: times are epoch milliseconds of this process's clock, read once per
 * transaction and bound as parameter 1 of every shared statement (values follow as ?2, ?3, ...); id lists are
 * JSON arrays; lock tokens carry the key of the row they lock, so a held row is found through the table's key.
 */
enum SqliteDialect implements SqlDialect {
    INSTANCE;

    private static final SqlRows.TimeColumn TIME = (rs, column) -> Instant.ofEpochMilli(rs.getLong(column));

    private static final String RELEASE_LOCK = "DELETE FROM instance_locks WHERE instance_id = ? AND lock_token = ?";
    /** Passes the lock to a hold token until the given time: the instance is held back until then. */
    private static final String HOLD_LOCK = "UPDATE instance_locks SET lock_token = ?, locked_until = ?"
            + " WHERE instance_id = ? AND lock_token = ?";

    /**
     * Lock tokens name the row they lock after a random part of fixed length ({@code <uuid>:<instance id>},
     * {@code <uuid>:<work item id>}), so a held lock is found through the table's key and the lock tokens
     * need no index of their own: one index less to update on every fetch and every commit.
     */
    static final int TOKEN_KEY_START = 37;

    @Override
    public String instanceLockToken(String instanceId) {
        return UUID.randomUUID() + ":" + instanceId;
    }

    /** The instance an instance lock token names, or null for a token this provider did not issue. */
    static String lockedInstance(String lockToken) {
        return lockToken.length() > TOKEN_KEY_START && lockToken.charAt(TOKEN_KEY_START - 1) == ':'
                ? lockToken.substring(TOKEN_KEY_START) : null;
    }

    /** The work item an activity lease token names, or -1 for a token this provider did not issue. */
    static long leasedWorkItem(String lockToken) {
        if (lockToken.length() <= TOKEN_KEY_START || lockToken.charAt(TOKEN_KEY_START - 1) != ':') {
            return -1;
        }
        try {
            return Long.parseLong(lockToken, TOKEN_KEY_START, lockToken.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String nowSql() {
        return "?1";
    }

    @Override
    public String valueSql(int n, boolean millis) {
        return "?" + (n + 1);
    }

    @Override
    public Object clock() {
        return System.currentTimeMillis();
    }

    @Override
    public Object[] args(Object clock, Object... values) {
        Object[] args = new Object[values.length + 1];
        args[0] = clock;
        System.arraycopy(values, 0, args, 1, values.length);
        return args;
    }

    @Override
    public Object timestamp(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    @Override
    public SqlRows.TimeColumn time() {
        return TIME;
    }

    @Override
    public String isOneOf(String column) {
        return column + " IN (SELECT value FROM json_each(?))";
    }

    @Override
    public Object idList(List<String> ids) {
        return JsonConverter.DEFAULT.toJson(ids);
    }

    /** Nothing to add: a write transaction holds the whole database. */
    @Override
    public String lockForDelete(String alias, String orderBy) {
        return "";
    }

    @Override
    public String laterOf(String time, String otherTime) {
        return "max(" + time + ", " + otherTime + ")";
    }

    @Override
    public String minusMillis(String time, long millis) {
        return "(" + time + " - " + millis + ")";
    }

    @Override
    public String millisSince(String expression) {
        return "{now} - " + expression;
    }

    @Override
    public String heldBy(String keyColumn) {
        return keyColumn + " = ? AND lock_token = ?";
    }

    @Override
    public Object[] heldByArgs(String lockToken, boolean workItem) {
        return new Object[] {workItem ? leasedWorkItem(lockToken) : lockedInstance(lockToken), lockToken};
    }

    @Override
    public String releaseInstanceLock(SqlTx tx, String lockToken) throws SQLException {
        String instanceId = lockedInstance(lockToken);
        return instanceId != null && tx.update(RELEASE_LOCK, instanceId, lockToken) == 1 ? instanceId : null;
    }

    @Override
    public String holdInstanceLock(SqlTx tx, String lockToken, long delayMs) throws SQLException {
        String instanceId = lockedInstance(lockToken);
        return instanceId != null && tx.update(HOLD_LOCK, StoredForm.holdToken(), System.currentTimeMillis() + delayMs,
                instanceId, lockToken) == 1 ? instanceId : null;
    }
}
