package io.duroxide.provider.postgres;

import io.duroxide.provider.ProviderException;
import io.duroxide.provider.ProviderException.Kind;
import io.duroxide.provider.jdbc.SqlFailureKinds;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;

/**
 * Classifies PostgreSQL failures by SQLState and wraps them in {@link ProviderException}s, with the
 * {@link Kind} that monitoring reports as the failure's type.
 */
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

    /**
     * The kind of the first SQLException in the chain that tells one, by its SQLState (or a next-exception's:
     * batches chain the server's error that way), else by its JDBC class (the pool's timeouts carry none).
     */
    static Kind kind(Throwable error) {
        return SqlFailureKinds.firstKnown(error, PostgresErrors::ownKind);
    }

    private static Kind ownKind(SQLException error) {
        int depth = 0;
        for (SQLException e = error; e != null && depth < 8;
                e = e.getNextException() == e ? null : e.getNextException(), depth++) {
            Kind kind = bySqlState(e.getSQLState());
            if (kind != Kind.UNKNOWN) {
                return kind;
            }
        }
        if (error instanceof SQLTimeoutException) {
            return Kind.TIMEOUT;
        }
        if (error instanceof SQLTransactionRollbackException) {
            return Kind.DEADLOCK;
        }
        if (error instanceof SQLIntegrityConstraintViolationException) {
            return Kind.CONSTRAINT_VIOLATION;
        }
        if (error instanceof SQLTransientConnectionException || error instanceof SQLNonTransientConnectionException
                || error instanceof SQLRecoverableException) {
            return Kind.CONNECTION;
        }
        return Kind.UNKNOWN;
    }

    /**
     * 08 connection; 40P01 deadlock and 40001 serialization failure both deadlock (both mean "the transaction
     * lost a concurrency conflict, run it again"); 57014 (statement cancelled by statement_timeout) timeout;
     * 23 constraint; XX001/XX002 (data or index corrupted) corruption; 57P01-57P03 (server shutting down)
     * connection.
     */
    static Kind bySqlState(String sqlState) {
        if (sqlState == null || sqlState.length() < 2) {
            return Kind.UNKNOWN;
        }
        if (sqlState.startsWith("08") || sqlState.equals("57P01") || sqlState.equals("57P02")
                || sqlState.equals("57P03")) {
            return Kind.CONNECTION;
        }
        if (sqlState.startsWith("40")) {
            return Kind.DEADLOCK;
        }
        if (sqlState.equals("57014")) {
            return Kind.TIMEOUT;
        }
        if (sqlState.startsWith("23")) {
            return Kind.CONSTRAINT_VIOLATION;
        }
        if (sqlState.equals("XX001") || sqlState.equals("XX002")) {
            return Kind.CORRUPTION;
        }
        return Kind.UNKNOWN;
    }

    static ProviderException wrap(String operation, SQLException error) {
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
        return new ProviderException(operation, message, isRetryable(error), kind(error), error);
    }
}
