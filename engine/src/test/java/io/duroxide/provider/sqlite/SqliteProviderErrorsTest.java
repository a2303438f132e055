package io.duroxide.provider.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.ProviderException;
import io.duroxide.provider.ProviderException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** How SQLite failures are classified and wrapped: the cause chain must keep the original exception. */
class SqliteProviderErrorsTest {

    @TempDir
    Path dir;

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

    @Test
    void theResultCodeDecidesTheKindTheWrappedExceptionCarries() {
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_BUSY))).isEqualTo(Kind.TIMEOUT);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_BUSY_RECOVERY))).isEqualTo(Kind.TIMEOUT);
        // a stale WAL snapshot must restart its transaction: a lost conflict, not a wait that ran out
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT))).isEqualTo(Kind.DEADLOCK);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_LOCKED))).isEqualTo(Kind.DEADLOCK);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_CORRUPT))).isEqualTo(Kind.CORRUPTION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_NOTADB))).isEqualTo(Kind.CORRUPTION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE))).isEqualTo(Kind.CONSTRAINT_VIOLATION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_CANTOPEN))).isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_IOERR_WRITE))).isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_FULL))).isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_READONLY))).isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_PERM))).isEqualTo(Kind.CONNECTION);
        assertThat(kindOf(sqlite(SQLiteErrorCode.SQLITE_ERROR))).isEqualTo(Kind.UNKNOWN);
        // a driver path without a result code: the message's [SQLITE_...] prefix
        assertThat(kindOf(new SQLException("[SQLITE_BUSY] database is locked"))).isEqualTo(Kind.TIMEOUT);
        assertThat(kindOf(new SQLException("[SQLITE_BUSY_SNAPSHOT] stale"))).isEqualTo(Kind.DEADLOCK);
        assertThat(kindOf(new SQLException("[SQLITE_CORRUPT_INDEX] bad"))).isEqualTo(Kind.CORRUPTION);
        assertThat(kindOf(new SQLTransientConnectionException("pool timeout"))).isEqualTo(Kind.UNKNOWN);
        // a SQLite error further down the cause chain
        assertThat(kindOf(new SQLException("batch failed", sqlite(SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY))))
                .isEqualTo(Kind.CONSTRAINT_VIOLATION);
    }

    private static Kind kindOf(SQLException error) {
        return SqliteErrors.wrap("commitTurn", error).kind();
    }

    @Test
    void realSqliteFailuresCarryTheirKind() throws Exception {
        Path file = dir.resolve("real.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t VALUES (1, 'a')");
            assertThat(kindOfFailure(() -> s.execute("INSERT INTO t VALUES (1, 'b')")))
                    .isEqualTo(Kind.CONSTRAINT_VIOLATION);
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement o = other.createStatement()) {
                o.execute("PRAGMA busy_timeout = 0");
                s.execute("BEGIN IMMEDIATE");
                assertThat(kindOfFailure(() -> o.execute("BEGIN IMMEDIATE"))).isEqualTo(Kind.TIMEOUT);
                s.execute("ROLLBACK");
            }
            for (int i = 2; i < 500; i++) {
                s.execute("INSERT INTO t VALUES (" + i + ", '" + "x".repeat(100) + "')");
            }
        }
        // The table's root page (page 2) overwritten: SQLite's own integrity checks report SQLITE_CORRUPT.
        int pageSize = ByteBuffer.wrap(Files.readAllBytes(file), 16, 2).getShort() & 0xffff;
        byte[] garbage = new byte[pageSize];
        Arrays.fill(garbage, (byte) 0x7f);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(garbage), pageSize);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            assertThat(kindOfFailure(() -> s.executeQuery("SELECT count(*), max(v) FROM t").next()))
                    .isEqualTo(Kind.CORRUPTION);
        }
        Path notADatabase = dir.resolve("random.db");
        byte[] random = new byte[8192];
        new Random(7).nextBytes(random);
        Files.write(notADatabase, random);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + notADatabase);
                Statement s = c.createStatement()) {
            assertThat(kindOfFailure(() -> s.executeQuery("SELECT * FROM sqlite_master").next()))
                    .isEqualTo(Kind.CORRUPTION);
        }
    }

    private interface Sql {
        void run() throws SQLException, IOException;
    }

    private static Kind kindOfFailure(Sql sql) throws IOException {
        try {
            sql.run();
        } catch (SQLException e) {
            return SqliteErrors.wrap("x", e).kind();
        }
        throw new AssertionError("expected an SQLException");
    }
}
