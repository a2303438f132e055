package io.duroxide.provider.sqlite;

import io.duroxide.provider.ProviderException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Classifies SQLite failures by their result code and wraps them in {@link ProviderException}s. */
final class SqliteErrors {
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_NOMEM = 7;
    static final int SQLITE_INTERRUPT = 9;
    static final int SQLITE_IOERR = 10;
    static final int SQLITE_CORRUPT = 11;
    static final int SQLITE_FULL = 13;
    static final int SQLITE_CANTOPEN = 14;
    static final int SQLITE_PROTOCOL = 15;
    static final int SQLITE_NOTADB = 26;

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
        return code == SQLITE_BUSY || code == SQLITE_LOCKED;
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

    static ProviderException wrap(String operation, SQLException error) {
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
        return new ProviderException(operation, message, isRetryable(error), error);
    }
}
