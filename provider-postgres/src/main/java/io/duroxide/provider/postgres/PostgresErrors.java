package io.duroxide.provider.postgres;

import io.duroxide.provider.ProviderException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Classifies PostgreSQL failures by SQLState and wraps them in {@link ProviderException}s. */
final class PostgresErrors {
    private PostgresErrors() {}

    /** The SQLState of the first SQLException in the chain (including next-exceptions of batches), or null. */
    static String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (e.getSQLState() != null) {
                        return e.getSQLState();
                    }
                }
            }
        }
        return null;
    }

    /** Serialization failure or deadlock: the transaction was rolled back and running it again is the cure. */
    static boolean isConflict(SQLException error) {
        String state = sqlState(error);
        return "40001".equals(state) || "40P01".equals(state);
    }

    /**
     * Whether the same operation may succeed later: connection trouble (08), transaction rollbacks (40),
     * insufficient resources (53), an administrator's shutdown or cancel (57) and lock timeouts (55P03).
     */
    static boolean isRetryable(SQLException error) {
        String state = sqlState(error);
        if (state == null) {
            // e.g. the pool's "connection is not available, request timed out"
            return error instanceof SQLTransientException || error instanceof SQLRecoverableException;
        }
        return state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57")
                || state.equals("55P03");
    }

    static ProviderException wrap(String operation, SQLException error) {
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
        return new ProviderException(operation, message, isRetryable(error), error);
    }
}
