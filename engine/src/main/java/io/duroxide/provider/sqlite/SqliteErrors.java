package io.duroxide.provider.sqlite;

import io.duroxide.provider.ProviderException;
import io.duroxide.provider.ProviderException.Kind;
import io.duroxide.provider.jdbc.SqlFailureKinds;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Locale;
import org.sqlite.SQLiteException;

/**
 * Classifies SQLite failures by their result code and wraps them in {@link ProviderException}s. This is the
 * one place that knows SQLite's result codes: the {@link Kind} it puts on the exceptions is what monitoring
 * reports as the failure's type.
 */
final class SqliteErrors {
    static final int SQLITE_PERM = 3;
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_NOMEM = 7;
    static final int SQLITE_READONLY = 8;
    static final int SQLITE_INTERRUPT = 9;
    static final int SQLITE_IOERR = 10;
    static final int SQLITE_CORRUPT = 11;
    static final int SQLITE_FULL = 13;
    static final int SQLITE_CANTOPEN = 14;
    static final int SQLITE_PROTOCOL = 15;
    static final int SQLITE_CONSTRAINT = 19;
    static final int SQLITE_NOTADB = 26;
    static final int SQLITE_BUSY_SNAPSHOT = 517;

    private SqliteErrors() {}

    /** The primary SQLite result code of the first SQLException in the chain, or -1. */
    static int primaryCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && isSqlite(sql)) {
                return sql.getErrorCode() & 0xff;
            }
        }
        return -1;
    }

    private static boolean isSqlite(SQLException e) {
        return e.getClass().getName().startsWith("org.sqlite.");
    }

    /** SQLITE_BUSY or SQLITE_LOCKED (any extended code): another connection holds a conflicting lock. */
    static boolean isBusy(SQLException error) {
        int code = primaryCode(error);
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
            return true;
        }
        // A driver path that reports the condition without a result code.
        String message = error.getMessage();
        return code == -1 && message != null
                && (message.contains("[SQLITE_BUSY]") || message.contains("[SQLITE_LOCKED]")
                        || message.contains("database is locked"));
    }

    /** The database file is not SQLite or is damaged; retrying cannot help. */
    static boolean isUnusableFile(SQLException error) {
        int code = primaryCode(error);
        return code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
    }

    /** Whether the same operation may succeed when tried again later. */
    static boolean isRetryable(SQLException error) {
        if (error instanceof SQLTransientException || error instanceof SQLRecoverableException) {
            return true;
        }
        return switch (primaryCode(error)) {
            case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_INTERRUPT, SQLITE_IOERR, SQLITE_FULL,
                    SQLITE_CANTOPEN, SQLITE_PROTOCOL -> true;
            default -> false;
        };
    }

    /**
     * The kind of the first SQLite error in the chain whose result code says one (a driver path that gives
     * no code is read from the message's {@code [SQLITE_...]} prefix), else {@link Kind#UNKNOWN}.
     */
    static Kind kind(Throwable error) {
        return SqlFailureKinds.firstKnown(error, SqliteErrors::ownKind);
    }

    private static Kind ownKind(SQLException sql) {
        if (!isSqlite(sql) && !hasSqliteMessage(sql)) {
            return Kind.UNKNOWN;
        }
        return byResultCode(sql.getErrorCode() & 0xff, extendedCode(sql), sql.getMessage());
    }

    private static boolean hasSqliteMessage(SQLException e) {
        return e.getMessage() != null && e.getMessage().startsWith("[SQLITE_");
    }

    private static int extendedCode(SQLException e) {
        return e instanceof SQLiteException s && s.getResultCode() != null ? s.getResultCode().code : -1;
    }

    /**
     * BUSY (the busy timeout ran out waiting for the write lock) is a timeout, except BUSY_SNAPSHOT (a WAL
     * read snapshot went stale: the transaction must restart, a deadlock-like conflict); LOCKED (a conflict
     * inside one connection / shared cache) is a deadlock; CORRUPT and NOTADB are corruption; CONSTRAINT is
     * a constraint violation; CANTOPEN, IOERR, FULL, READONLY and PERM mean the database file cannot be
     * used: connection.
     */
    static Kind byResultCode(int primary, int extended, String message) {
        if (extended == SQLITE_BUSY_SNAPSHOT || (message != null && message.startsWith("[SQLITE_BUSY_SNAPSHOT]"))) {
            return Kind.DEADLOCK;
        }
        Kind byCode = switch (primary) {
            case SQLITE_BUSY -> Kind.TIMEOUT;
            case SQLITE_LOCKED -> Kind.DEADLOCK;
            case SQLITE_CORRUPT, SQLITE_NOTADB -> Kind.CORRUPTION;
            case SQLITE_CONSTRAINT -> Kind.CONSTRAINT_VIOLATION;
            case SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY, SQLITE_PERM -> Kind.CONNECTION;
            default -> Kind.UNKNOWN;
        };
        if (byCode != Kind.UNKNOWN || message == null) {
            return byCode;
        }
        String m = message.toUpperCase(Locale.ROOT);
        if (m.startsWith("[SQLITE_BUSY")) {
            return Kind.TIMEOUT;
        }
        if (m.startsWith("[SQLITE_LOCKED")) {
            return Kind.DEADLOCK;
        }
        if (m.startsWith("[SQLITE_CORRUPT") || m.startsWith("[SQLITE_NOTADB")) {
            return Kind.CORRUPTION;
        }
        if (m.startsWith("[SQLITE_CONSTRAINT")) {
            return Kind.CONSTRAINT_VIOLATION;
        }
        if (m.startsWith("[SQLITE_CANTOPEN") || m.startsWith("[SQLITE_IOERR")) {
            return Kind.CONNECTION;
        }
        return Kind.UNKNOWN;
    }

    static ProviderException wrap(String operation, SQLException error) {
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
        return new ProviderException(operation, message, isRetryable(error), kind(error), error);
    }
}
