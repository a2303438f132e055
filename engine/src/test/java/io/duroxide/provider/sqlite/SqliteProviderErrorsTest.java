package io.duroxide.provider.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.ProviderException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** How SQLite failures are classified and wrapped: the cause chain must keep the original exception. */
class SqliteProviderErrorsTest {

    private static SQLiteException sqlite(SQLiteErrorCode code) {
        return new SQLiteException("[" + code.name() + "] " + code.message, code);
    }

    @Test
    void busyAndLockedIncludingExtendedCodesAreBusy() {
        assertThat(SqliteErrors.isBusy(sqlite(SQLiteErrorCode.SQLITE_BUSY))).isTrue();
        assertThat(SqliteErrors.isBusy(sqlite(SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT))).isTrue();
        assertThat(SqliteErrors.isBusy(sqlite(SQLiteErrorCode.SQLITE_LOCKED))).isTrue();
        assertThat(SqliteErrors.isBusy(sqlite(SQLiteErrorCode.SQLITE_LOCKED_SHAREDCACHE))).isTrue();
        assertThat(SqliteErrors.isBusy(new SQLException("database is locked"))).isTrue();
        assertThat(SqliteErrors.isBusy(sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY))).isFalse();
        assertThat(SqliteErrors.isBusy(sqlite(SQLiteErrorCode.SQLITE_CORRUPT))).isFalse();
    }

    @Test
    void wrappingKeepsTheCauseTheOperationAndTheRetryability() {
        SQLiteException constraint = sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
        ProviderException permanent = SqliteErrors.wrap("commitTurn", constraint);
        assertThat(permanent.getCause()).isSameAs(constraint);
        assertThat(permanent.operation()).isEqualTo("commitTurn");
        assertThat(permanent.retryable()).isFalse();
        assertThat(permanent.getMessage()).startsWith("commitTurn: ").contains("SQLITE_CONSTRAINT");
        assertThat(SqliteErrors.primaryCode(permanent)).isEqualTo(19);

        assertThat(SqliteErrors.wrap("x", sqlite(SQLiteErrorCode.SQLITE_IOERR_WRITE)).retryable()).isTrue();
        assertThat(SqliteErrors.wrap("x", sqlite(SQLiteErrorCode.SQLITE_FULL)).retryable()).isTrue();
        assertThat(SqliteErrors.wrap("x", sqlite(SQLiteErrorCode.SQLITE_CORRUPT)).retryable()).isFalse();
        assertThat(SqliteErrors.wrap("x", sqlite(SQLiteErrorCode.SQLITE_NOTADB)).retryable()).isFalse();
        assertThat(SqliteErrors.wrap("x", new SQLTransientConnectionException("pool timeout")).retryable()).isTrue();
    }

    @Test
    void unusableFilesAreRecognised() {
        assertThat(SqliteErrors.isUnusableFile(sqlite(SQLiteErrorCode.SQLITE_NOTADB))).isTrue();
        assertThat(SqliteErrors.isUnusableFile(sqlite(SQLiteErrorCode.SQLITE_CORRUPT))).isTrue();
        assertThat(SqliteErrors.isUnusableFile(sqlite(SQLiteErrorCode.SQLITE_BUSY))).isFalse();
    }
}
