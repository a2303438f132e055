package io.duroxide.provider.sqlite;

import io.duroxide.provider.ProviderException;
import io.duroxide.provider.jdbc.SqlDatabase;
import io.duroxide.provider.jdbc.SqlTx;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/**
 * The connection pool and the transaction discipline of one {@link SqliteProvider}.
 *
 * <p>Every write transaction of this process runs under one lock ({@link GroupCommit}) and starts with
 * {@code BEGIN IMMEDIATE}, so writers of one JVM queue in Java instead of inside SQLite. Writers of
 * other processes are waited for by SQLite's busy timeout; if that still ends in SQLITE_BUSY or
 * SQLITE_LOCKED the whole transaction is retried a few times with a growing backoff before a
 * retryable {@link ProviderException} is thrown. Writes that queue for the lock meanwhile run together in
 * the next transaction, each in its own savepoint. Reads run on any pooled connection in autocommit mode
 * (WAL readers never block the writer).
 *
 * <p>Writes all use one connection borrowed from the pool and kept (replaced only after an error), so
 * its page cache is not invalidated by other connections of this process. Prepared statements are
 * cached per connection: the pool ({@link SqliteConnectionPool}) closes a connection only when this class
 * discards it or at close, so each keeps its compiled statements for its whole life.
 */
final class SqliteDatabase implements SqlDatabase {
    private static final System.Logger LOG = System.getLogger(SqliteDatabase.class.getName());
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    static final int POOL_SIZE = 4;
    /** How long a read waits for a free connection before failing (retryably). */
    static final long BORROW_TIMEOUT_MS = 30_000;
    /** Files up to this size get a full {@code quick_check} on open; larger ones only a structural look. */
    static final long FULL_CHECK_MAX_BYTES = 16L << 20;

    /**
     * How long SQLite waits for another process's lock, and how many times a transaction that still
     * found the database busy is tried in all. Only tests change them.
     */
    /**
     * @param walRestartFrames WAL frames beyond which the checkpointer restarts the WAL under the write lock
     *     ({@link WalCheckpointer}); 8,192 frames of 4 KiB pages is 32 MiB of WAL
     */
    record Settings(int busyTimeoutMs, int maxBusyAttempts, long walRestartFrames) {
        static final Settings DEFAULT = new Settings(5_000, 6, 8_192);
    }

    /** A connection borrowed for one unit of work, with its cached prepared statements. */
    static final class Tx implements SqlTx {
        private final Connection connection;
        private final Map<String, PreparedStatement> cache;

        Tx(Connection connection, Map<String, PreparedStatement> cache) {
            this.connection = connection;
            this.cache = cache;
        }

        @Override
        public Connection connection() {
            return connection;
        }

        /** A cached prepared statement for {@code sql}; set every parameter before executing it. */
        PreparedStatement ps(String sql) throws SQLException {
            PreparedStatement p = cache.get(sql);
            if (p == null) {
                p = connection.prepareStatement(sql);
                cache.put(sql, p);
            }
            return p;
        }

        /** Binds the arguments in order (null allowed) to a cached statement. */
        @Override
        public PreparedStatement bind(String sql, Object... args) throws SQLException {
            PreparedStatement p = ps(sql);
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p;
        }

    }

    private final Path file;
    private final Settings settings;
    private final SqliteConnectionPool pool;
    private final GroupCommit groupCommit = new GroupCommit(this::commitBatch);
    /** Write transactions begun (several writes may share one). */
    private final AtomicLong transactions = new AtomicLong();
    /** The connection all writes of this process use, so its page cache stays warm; guarded by the write lock. */
    private SqliteConnectionPool.Lease writer;
    private final Map<SQLiteConnection, Map<String, PreparedStatement>> statements = new ConcurrentHashMap<>();
    private final WalCheckpointer checkpointer;
    private volatile boolean closed;

    private SqliteDatabase(Path file, Settings settings, SqliteConnectionPool pool) {
        this.file = file;
        this.settings = settings;
        this.pool = pool;
        this.checkpointer = new WalCheckpointer(file.getFileName().toString(), pool::borrow, groupCommit::exclusively,
                settings.walRestartFrames());
    }

    Path file() {
        return file;
    }

    WalCheckpointer checkpointer() {
        return checkpointer;
    }

    /** Validates the file, creates or migrates the schema, and opens the pool. */
    static SqliteDatabase open(Path requested, Settings settings) {
        Path file = requested.toAbsolutePath().normalize();
        checkFile(file);
        String url = "jdbc:sqlite:" + file;
        validateAndEnableWal(file, url, settings);

        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(settings.busyTimeoutMs());
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setCacheSize(-16_000); // 16 MB per connection
        config.enforceForeignKeys(false);
        config.setGetGeneratedKeys(false); // else the driver runs an extra query after every insert
        // No checkpoint inside commits: WalCheckpointer does them off the writer's path.
        config.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, "0");
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl(url);

        SqliteConnectionPool pool;
        try {
            pool = new SqliteConnectionPool("the connection pool of " + file, dataSource, POOL_SIZE, BORROW_TIMEOUT_MS);
        } catch (SQLException e) {
            throw openFailure(file, e);
        } catch (RuntimeException e) {
            throw new ProviderException("open", "cannot open SQLite database " + file + ": " + e.getMessage(), false,
                    SqliteErrors.kind(e), e);
        }
        SqliteDatabase db = new SqliteDatabase(file, settings, pool);
        try {
            db.write("open", tx -> {
                int version = SqliteSchema.currentVersion(tx.connection());
                if (version < 0) {
                    throw new ProviderException("open", file + " is a SQLite database of another application"
                            + " (it has tables but no duroxide schema_version table); refusing to add tables to it",
                            false, null);
                }
                if (version > SqliteSchema.latestVersion()) {
                    throw new ProviderException("open", file + " has duroxide schema version " + version
                            + ", newer than the newest this version knows (" + SqliteSchema.latestVersion()
                            + "); upgrade duroxide", false, null);
                }
                if (version < SqliteSchema.latestVersion()) {
                    SqliteSchema.migrate(tx.connection(), version, System.currentTimeMillis());
                }
                return null;
            });
        } catch (ProviderException e) {
            db.close();
            if (e.getCause() instanceof SQLException sql && SqliteErrors.isUnusableFile(sql)) {
                throw openFailure(file, sql);
            }
            throw e;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    private static void checkFile(Path file) {
        Path parent = file.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new ProviderException("open", "cannot open SQLite database " + file + ": directory " + parent
                    + " does not exist", false, null);
        }
        if (Files.isDirectory(file)) {
            throw new ProviderException("open", file + " is not a usable SQLite database: it is a directory",
                    false, null);
        }
        if (!Files.exists(file)) {
            return;
        }
        byte[] header = new byte[100];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(header, 0, header.length);
        } catch (IOException e) {
            throw new ProviderException("open", "cannot read " + file + ": " + e.getMessage(), false, e);
        }
        if (read == 0) {
            return; // an empty file is an empty database
        }
        if (read < header.length || !Arrays.equals(header, 0, SQLITE_HEADER.length, SQLITE_HEADER, 0, SQLITE_HEADER.length)) {
            throw new ProviderException("open", file + " is not a usable SQLite database: it does not start with"
                    + " the SQLite file header (wrong file, or damaged); it was left unchanged", false, null);
        }
    }

    /**
     * Reads the schema with a plain connection that changes nothing, so a damaged file is reported
     * before anything writes to it; then switches it to WAL (a setting stored in the file).
     */
    private static void validateAndEnableWal(Path file, String url, Settings settings) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(settings.busyTimeoutMs());
        SQLiteDataSource plain = new SQLiteDataSource(config);
        plain.setUrl(url);
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            // Reaching every table's root page catches damage such as truncation at little cost; a
            // small file is checked completely.
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT 1 FROM \"" + table.replace("\"", "\"\"") + "\" LIMIT 1")) {
                    rs.next();
                }
            }
            if (Files.exists(file) && Files.size(file) <= FULL_CHECK_MAX_BYTES) {
                try (ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
                    String result = rs.next() ? rs.getString(1) : "no result";
                    if (!"ok".equalsIgnoreCase(result)) {
                        throw new ProviderException("open", file + " is not a usable SQLite database (it is damaged: "
                                + result + "); it was left unchanged", false, null);
                    }
                }
            }
            String mode = switchToWal(s, settings.busyTimeoutMs());
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new ProviderException("open", "cannot switch " + file + " to WAL journal mode (it stayed in "
                        + mode + " mode)", false, null);
            }
        } catch (SQLException e) {
            throw openFailure(file, e);
        } catch (IOException e) {
            throw new ProviderException("open", "cannot read " + file + ": " + e.getMessage(), false, e);
        }
    }

    /**
     * Switching a new file to WAL needs its exclusive lock, and when two connections try at once SQLite answers
     * one of them SQLITE_BUSY without calling the busy handler (waiting could deadlock). The other switch then
     * finishes in moments, so the loser retries for as long as the busy timeout would have waited.
     */
    private static String switchToWal(Statement s, int busyTimeoutMs) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(busyTimeoutMs);
        for (int attempt = 1; ; attempt++) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
                return rs.next() ? rs.getString(1) : null;
            } catch (SQLException e) {
                if (!SqliteErrors.isBusy(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(50, attempt * 5L)));
            }
        }
    }

    private static ProviderException openFailure(Path file, SQLException e) {
        if (SqliteErrors.isUnusableFile(e)) {
            return new ProviderException("open", file + " is not a usable SQLite database (" + e.getMessage()
                    + "); it was left unchanged", false, SqliteErrors.kind(e), e);
        }
        return new ProviderException("open", "cannot open SQLite database " + file + ": " + e.getMessage(),
                SqliteErrors.isRetryable(e), SqliteErrors.kind(e), e);
    }

    /**
     * Runs {@code work} in a {@code BEGIN IMMEDIATE} transaction under the process-wide write lock, possibly
     * together with other writes that queued meanwhile; it returns (or throws) once that transaction ended.
     */
    @Override
    public <T> T write(String operation, Work<T> work) {
        return withRetry(operation, true, work);
    }

    /** Write transactions begun so far. */
    long transactions() {
        return transactions.get();
    }

    /** Writes waiting for the next transaction; for tests. */
    int queuedWrites() {
        return groupCommit.queued();
    }

    /** Runs {@code work} on a pooled connection in autocommit mode. */
    @Override
    public <T> T read(String operation, Work<T> work) {
        return withRetry(operation, false, work);
    }

    private <T> T withRetry(String operation, boolean write, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            if (closed) {
                throw closedException(operation);
            }
            try {
                return write ? writeOnce(operation, work) : readOnce(work);
            } catch (SQLException e) {
                if (SqliteErrors.isBusy(e) && attempt < settings.maxBusyAttempts() && !closed) {
                    backoff(operation, attempt, e);
                    continue;
                }
                if (SqliteErrors.isBusy(e)) {
                    throw new ProviderException(operation, "database " + file + " stayed busy after " + attempt
                            + " attempts: " + e.getMessage(), true, SqliteErrors.kind(e), e);
                }
                throw SqliteErrors.wrap(operation, e);
            }
        }
    }

    private ProviderException closedException(String operation) {
        return new ProviderException(operation, "the SQLite provider for " + file + " is closed", false, null);
    }

    private void backoff(String operation, int attempt, SQLException cause) {
        long base = Math.min(200, 5L << attempt);
        long millis = base + ThreadLocalRandom.current().nextLong(base + 1);
        LOG.log(Level.DEBUG, () -> operation + ": database busy, retry " + attempt + " in " + millis + " ms");
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProviderException failure = new ProviderException(operation, "interrupted while waiting to retry a busy"
                    + " database: " + cause.getMessage(), true, SqliteErrors.kind(cause), cause);
            failure.addSuppressed(e);
            throw failure;
        }
    }

    private <T> T writeOnce(String operation, Work<T> work) throws SQLException {
        return groupCommit.write(new GroupCommit.Write<>(operation, work));
    }

    /**
     * Runs a batch of writes in one {@code BEGIN IMMEDIATE} transaction (caller holds the write lock). With
     * more than one write, each runs inside a savepoint, so a write that fails is rolled back alone and the
     * others still commit; a failure that ends the whole transaction (the commit itself, or an error after
     * which SQLite rolled back on its own) fails every write of the batch, none is reported as done.
     */
    private void commitBatch(List<GroupCommit.Write<?>> batch) {
        if (closed) { // close() ran while these writes waited
            batch.forEach(w -> w.fail(closedException(w.operation)));
            return;
        }
        SQLiteConnection c;
        Tx tx;
        try {
            if (writer == null) {
                writer = pool.borrow();
            }
            c = writer.connection();
            tx = tx(c);
            tx.ps("BEGIN IMMEDIATE").execute();
        } catch (SQLException e) {
            batch.forEach(w -> w.fail(e));
            return;
        }
        transactions.incrementAndGet();
        boolean savepoints = batch.size() > 1;
        for (GroupCommit.Write<?> w : batch) {
            try {
                if (savepoints) {
                    tx.ps("SAVEPOINT batched_write").execute();
                }
                w.run(tx);
                if (savepoints) {
                    tx.ps("RELEASE batched_write").execute();
                }
            } catch (SQLException | RuntimeException e) {
                if (!savepoints || !rollbackToSavepoint(tx, e)) {
                    abort(batch, c, w, e);
                    return;
                }
                w.fail(e);
            } catch (Error e) {
                abort(batch, c, w, e);
                return;
            }
        }
        try {
            tx.ps("COMMIT").execute();
        } catch (SQLException e) {
            abort(batch, c, null, e);
            return;
        }
        batch.forEach(GroupCommit.Write::committed);
    }

    /** Undoes one write of a batch; false if the transaction itself is gone (SQLite rolled it back). */
    private static boolean rollbackToSavepoint(Tx tx, Throwable failure) {
        try {
            tx.ps("ROLLBACK TO batched_write").execute();
            tx.ps("RELEASE batched_write").execute();
            return true;
        } catch (SQLException e) {
            failure.addSuppressed(e);
            return false;
        }
    }

    /**
     * Rolls the whole batch back: {@code culprit} (if any) gets its own failure, every other write the
     * cause, as an SQL error (a busy database is then retried by each caller) or a retryable failure.
     */
    private void abort(List<GroupCommit.Write<?>> batch, Connection c, GroupCommit.Write<?> culprit, Throwable cause) {
        rollback(c, cause);
        if (culprit != null) {
            culprit.fail(cause);
        }
        for (GroupCommit.Write<?> w : batch) {
            w.fail(cause instanceof SQLException ? cause : new ProviderException(w.operation,
                    "rolled back with another write of the same transaction that failed: " + cause, true,
                    SqliteErrors.kind(cause), cause));
        }
    }

    /**
     * Rolls back after a failure. After an SQL error other than a busy database the writer connection
     * is replaced, in case the error left it in a bad state.
     */
    private void rollback(Connection c, Throwable failure) {
        boolean retire = failure instanceof SQLException sql && !SqliteErrors.isBusy(sql);
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (!message.contains("no transaction is active")) { // else SQLite already rolled back itself
                failure.addSuppressed(e);
                retire = true;
            }
        }
        if (retire) {
            retireWriter();
        }
    }

    /** Closes the writer connection (caller holds the write lock); the next write borrows another. */
    private void retireWriter() {
        SqliteConnectionPool.Lease retired = writer;
        writer = null;
        if (retired == null) {
            return;
        }
        dropStatements(retired.connection());
        retired.discard();
    }

    private <T> T readOnce(Work<T> work) throws SQLException {
        try (SqliteConnectionPool.Lease lease = pool.borrow()) {
            SQLiteConnection c = lease.connection();
            Tx tx = tx(c);
            try {
                return work.run(tx);
            } catch (SQLException e) {
                dropStatements(c);
                throw e;
            }
        }
    }

    private Tx tx(SQLiteConnection c) {
        Map<String, PreparedStatement> cache = statements.get(c);
        if (cache == null) {
            cache = new HashMap<>();
            statements.put(c, cache);
        }
        return new Tx(c, cache);
    }

    private void dropStatements(SQLiteConnection c) {
        Map<String, PreparedStatement> cache = statements.remove(c);
        if (cache != null) {
            closeAll(cache.values());
        }
    }

    private static void closeAll(Iterable<PreparedStatement> all) {
        for (PreparedStatement p : all) {
            try {
                p.close();
            } catch (SQLException ignored) {
                // closing a statement of a broken connection
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        checkpointer.close();
        groupCommit.exclusively(() -> {
            if (writer != null) {
                dropStatements(writer.connection());
                writer.close(); // given back: the pool closes it below
                writer = null;
            }
        });
        pool.close();
        statements.clear();
    }
}
