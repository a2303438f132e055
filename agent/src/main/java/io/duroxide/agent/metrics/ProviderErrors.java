package io.duroxide.agent.metrics;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Classifies a provider call's exception into the {@code error_type} of
 * {@code duroxide_provider_errors_total}: timeout, connection, deadlock, corruption,
 * constraint_violation, plus lock_lost, not_found, invalid_state and other. The cause chain is
 * walked for a {@link java.sql.SQLException} the database classified (following
 * {@link java.sql.SQLException#getNextException()} too); without one, outermost first, the first
 * classifiable throwable wins. No JDBC driver is needed on the
 * agent's side: SQLite result codes are read through {@link java.sql.SQLException#getErrorCode()} (the
 * primary result code for sqlite-jdbc) and, reflectively, {@code org.sqlite.SQLiteException#getResultCode()}
 * (the extended code); SQLState classes cover other databases.
 */
public final class ProviderErrors {
    private ProviderErrors() {}

    public static final List<String> ALL = List.of(
            "timeout", "connection", "deadlock", "corruption", "constraint_violation", "lock_lost", "not_found",
            "invalid_state", "other");

    // SQLite primary result codes
    static final int SQLITE_PERM = 3;
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_READONLY = 8;
    static final int SQLITE_IOERR = 10;
    static final int SQLITE_CORRUPT = 11;
    static final int SQLITE_FULL = 13;
    static final int SQLITE_CANTOPEN = 14;
    static final int SQLITE_CONSTRAINT = 19;
    static final int SQLITE_NOTADB = 26;
    static final int SQLITE_BUSY_SNAPSHOT = 517;

    private static final ConcurrentHashMap<Class<?>, Method> RESULT_CODE_METHODS = new ConcurrentHashMap<>();
    private static final Method NONE;

    static {
        Method m = null;
        try {
            m = Object.class.getMethod("hashCode");
        } catch (NoSuchMethodException e) {
            // impossible
        }
        NONE = m;
    }

    public static String classify(Throwable error) {
        if (error == null) {
            return null;
        }
        // A database's own verdict (SQLState, SQLite result code) anywhere in the chain is the most
        // specific signal, so it wins over generic wrappers (pool or driver exceptions) nearer the top.
        int depth = 0;
        for (Throwable t = error; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof java.sql.SQLException) {
                String c = classifySql((java.sql.SQLException) t);
                if (c != null) {
                    return c;
                }
            }
        }
        depth = 0;
        for (Throwable t = error; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            String c = classifyOne(t);
            if (c != null) {
                return c;
            }
        }
        return "other";
    }

    private static String classifyOne(Throwable t) {
        String name = t.getClass().getName();
        if (name.equals("io.duroxide.provider.LockLostException")) {
            return "lock_lost";
        }
        if (name.equals("io.duroxide.api.InstanceAlreadyExistsException")) {
            return "constraint_violation";
        }
        if (name.equals("io.duroxide.api.InstanceNotFoundException")) {
            return "not_found";
        }
        if (t instanceof java.sql.SQLException) {
            String c = classifySql((java.sql.SQLException) t);
            if (c != null) {
                return c;
            }
        }
        if (t instanceof java.net.SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
            return "timeout";
        }
        if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                || t instanceof java.net.SocketException || t instanceof java.nio.channels.ClosedChannelException) {
            return "connection";
        }
        if (t instanceof IllegalStateException && name.startsWith("java.")) {
            return "invalid_state";
        }
        return null;
    }

    static String classifySql(java.sql.SQLException e) {
        String cls = e.getClass().getName();
        if (cls.startsWith("org.sqlite.") || (e.getMessage() != null && e.getMessage().startsWith("[SQLITE_"))) {
            String c = classifySqlite(primaryCode(e), extendedCode(e), e.getMessage());
            if (c != null) {
                return c;
            }
        }
        // A batch failure (java.sql.BatchUpdateException) may carry the server's SQLState only on the
        // exceptions chained with setNextException, not on itself or its cause.
        int depth = 0;
        for (java.sql.SQLException s = e; s != null && depth < 8; s = s.getNextException() == s ? null : s.getNextException(), depth++) {
            String c = classifySqlState(s.getSQLState());
            if (c != null) {
                return c;
            }
        }
        if (e instanceof java.sql.SQLTimeoutException) {
            return "timeout";
        }
        if (e instanceof java.sql.SQLTransactionRollbackException) {
            return "deadlock";
        }
        if (e instanceof java.sql.SQLIntegrityConstraintViolationException) {
            return "constraint_violation";
        }
        if (e instanceof java.sql.SQLTransientConnectionException
                || e instanceof java.sql.SQLNonTransientConnectionException
                || e instanceof java.sql.SQLRecoverableException) {
            return "connection";
        }
        return null;
    }

    private static int primaryCode(java.sql.SQLException e) {
        return e.getErrorCode() & 0xff;
    }

    /** sqlite-jdbc's extended result code, read reflectively; -1 when unavailable. */
    private static int extendedCode(java.sql.SQLException e) {
        Method m = RESULT_CODE_METHODS.computeIfAbsent(e.getClass(), k -> {
            try {
                return k.getMethod("getResultCode");
            } catch (NoSuchMethodException | SecurityException ex) {
                return NONE;
            }
        });
        if (m == NONE) {
            return -1;
        }
        try {
            Object code = m.invoke(e);
            if (code == null) {
                return -1;
            }
            return code.getClass().getField("code").getInt(code);
        } catch (ReflectiveOperationException | RuntimeException ex) {
            return -1;
        }
    }

    /**
     * SQLite result codes: BUSY (the busy timeout ran out waiting for the write lock) is a timeout, except
     * BUSY_SNAPSHOT (a WAL read snapshot went stale: the transaction must restart, a deadlock-like
     * conflict); LOCKED (a conflict inside one connection / shared cache) is a deadlock; CORRUPT and NOTADB
     * are corruption; CONSTRAINT is a constraint violation; CANTOPEN, IOERR, FULL, READONLY and PERM mean the
     * database file cannot be used: connection.
     */
    static String classifySqlite(int primary, int extended, String message) {
        if (extended == SQLITE_BUSY_SNAPSHOT || (message != null && message.startsWith("[SQLITE_BUSY_SNAPSHOT]"))) {
            return "deadlock";
        }
        switch (primary) {
            case SQLITE_BUSY:
                return "timeout";
            case SQLITE_LOCKED:
                return "deadlock";
            case SQLITE_CORRUPT:
            case SQLITE_NOTADB:
                return "corruption";
            case SQLITE_CONSTRAINT:
                return "constraint_violation";
            case SQLITE_CANTOPEN:
            case SQLITE_IOERR:
            case SQLITE_FULL:
            case SQLITE_READONLY:
            case SQLITE_PERM:
                return "connection";
            default:
                break;
        }
        if (message != null) {
            String m = message.toUpperCase(Locale.ROOT);
            if (m.startsWith("[SQLITE_BUSY")) {
                return "timeout";
            }
            if (m.startsWith("[SQLITE_LOCKED")) {
                return "deadlock";
            }
            if (m.startsWith("[SQLITE_CORRUPT") || m.startsWith("[SQLITE_NOTADB")) {
                return "corruption";
            }
            if (m.startsWith("[SQLITE_CONSTRAINT")) {
                return "constraint_violation";
            }
            if (m.startsWith("[SQLITE_CANTOPEN") || m.startsWith("[SQLITE_IOERR")) {
                return "connection";
            }
        }
        return null;
    }

    /**
     * SQLState (PostgreSQL and other standard drivers): 08 connection; 40P01 deadlock and 40001
     * serialization failure both deadlock (the spec's vocabulary has no separate word for a
     * serialization conflict, and both mean "the transaction lost a concurrency conflict, run it
     * again"); 57014 (statement cancelled by statement_timeout) and HYT00/HYT01 timeout; 23 constraint;
     * XX001/XX002 (data or index corrupted) corruption; 57P01-57P03 (server shutting down) connection.
     */
    static String classifySqlState(String state) {
        if (state == null || state.length() < 2) {
            return null;
        }
        if (state.startsWith("08")) {
            return "connection";
        }
        if (state.equals("40P01") || state.equals("40001") || state.startsWith("40")) {
            return "deadlock";
        }
        if (state.equals("57014") || state.equals("HYT00") || state.equals("HYT01")) {
            return "timeout";
        }
        if (state.startsWith("23")) {
            return "constraint_violation";
        }
        if (state.equals("XX001") || state.equals("XX002")) {
            return "corruption";
        }
        if (state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
            return "connection";
        }
        return null;
    }
}
