package io.duroxide.provider.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.jdbc.SqlDatabase;
import io.duroxide.provider.jdbc.SqlTx;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The connection pool and the transaction discipline of one {@link PostgresProvider}: every unit of
 * work runs on a pooled connection whose search_path is the provider's schema. A write runs in one
 * READ COMMITTED transaction; one that ends in a serialization failure or deadlock (rolled back by
 * PostgreSQL) is run again a few times with a growing backoff before it is reported.
 */
final class PostgresDatabase implements SqlDatabase {
    private static final System.Logger LOG = System.getLogger(PostgresDatabase.class.getName());
    static final int MAX_CONFLICT_ATTEMPTS = 6;

    /**
     * A connection borrowed for one unit of work. pgjdbc caches server-side prepared statements per
     * connection by SQL text, so statements are prepared per call and all closed when the unit ends.
     */
    static final class Tx implements SqlTx, AutoCloseable {
        private final Connection connection;
        private final List<PreparedStatement> open = new ArrayList<>();

        Tx(Connection connection) {
            this.connection = connection;
        }

        @Override
        public PreparedStatement bind(String sql, Object... args) throws SQLException {
            PreparedStatement p = connection.prepareStatement(sql);
            open.add(p);
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p;
        }

        @Override
        public Connection connection() {
            return connection;
        }

        @Override
        public void close() throws SQLException {
            SQLException first = null;
            for (PreparedStatement p : open) {
                try {
                    p.close();
                } catch (SQLException e) {
                    first = first == null ? e : first;
                }
            }
            open.clear();
            if (first != null) {
                throw first;
            }
        }
    }

    private final PostgresOptions options;
    private final HikariDataSource pool;
    private volatile boolean closed;

    private PostgresDatabase(PostgresOptions options, HikariDataSource pool) {
        this.options = options;
        this.pool = pool;
    }

    PostgresOptions options() {
        return options;
    }

    /** Connects, creates or migrates the schema, and opens the pool. */
    static PostgresDatabase open(PostgresOptions options) {
        PostgresDatabase db = connectOnly(options);
        try (Connection c = db.pool.getConnection()) {
            PostgresSchema.migrate(c, options.schema());
        } catch (SQLException e) {
            db.close();
            throw new ProviderException("open", "cannot create the duroxide schema '" + options.schema() + "' at "
                    + options.safeUrl() + ": " + e.getMessage(), PostgresErrors.isRetryable(e),
                    PostgresErrors.kind(e), e);
        } catch (IllegalStateException e) {
            db.close();
            throw new ProviderException("open", e.getMessage() + " (" + options.safeUrl() + ")", false, e);
        }
        return db;
    }

    /** Opens the pool without touching the schema. */
    static PostgresDatabase connectOnly(PostgresOptions options) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(options.url());
        if (options.user() != null) {
            hikari.setUsername(options.user());
        }
        if (options.password() != null) {
            hikari.setPassword(options.password());
        }
        hikari.setPoolName("duroxide-postgres-" + options.schema());
        hikari.setMaximumPoolSize(options.poolSize());
        hikari.setMinimumIdle(Math.min(2, options.poolSize()));
        hikari.setConnectionTimeout(10_000);
        hikari.setAutoCommit(true);
        // An unreachable server is reported at open, after pgjdbc's own connect timeout.
        hikari.setInitializationFailTimeout(1);
        Properties driver = new Properties();
        driver.setProperty("connectTimeout", "5");
        driver.setProperty("currentSchema", options.schema());
        driver.setProperty("ApplicationName", "duroxide");
        driver.setProperty("reWriteBatchedInserts", "true");
        hikari.setDataSourceProperties(driver);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw connectFailure(options, e);
        }
        return new PostgresDatabase(options, pool);
    }

    static ProviderException connectFailure(PostgresOptions options, Throwable e) {
        Throwable root = e;
        SQLException sql = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            if (sql == null && t instanceof SQLException s) {
                sql = s;
            }
        }
        String reason = sql != null ? sql.getMessage() : root.getMessage();
        return new ProviderException("open", "cannot connect to PostgreSQL at " + options.safeUrl() + ": " + reason,
                sql != null && PostgresErrors.isRetryable(sql), PostgresErrors.kind(e), e);
    }

    /** A plain connection outside the pool (for LISTEN), configured like the pooled ones. */
    Connection openDedicated() throws SQLException {
        Properties props = new Properties();
        if (options.user() != null) {
            props.setProperty("user", options.user());
        }
        if (options.password() != null) {
            props.setProperty("password", options.password());
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "duroxide-listener");
        return new org.postgresql.Driver().connect(options.url(), props);
    }

    /** Runs {@code work} in one transaction, retrying it when PostgreSQL rolls it back for a conflict. */
    @Override
    public <T> T write(String operation, Work<T> work) {
        return run(operation, Mode.DURABLE, work);
    }

    /**
     * Like {@link #write}, for transactions whose loss in a server crash is harmless: taking, renewing
     * or giving up a lock (a lost lock is taken again; a lost attempt count is one delivery not counted).
     * Their commit does not wait for the WAL flush ({@code synchronous_commit = off}), which halves the
     * fsyncs per orchestration. A later durable commit flushes them anyway, as the WAL is sequential.
     */
    @Override
    public <T> T writeVolatile(String operation, Work<T> work) {
        return run(operation, Mode.VOLATILE, work);
    }

    private enum Mode { READ, DURABLE, VOLATILE }

    /** Runs {@code work} on a pooled connection in autocommit mode. */
    @Override
    public <T> T read(String operation, Work<T> work) {
        return run(operation, Mode.READ, work);
    }

    private <T> T run(String operation, Mode mode, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            if (closed) {
                throw new ProviderException(operation, "the PostgreSQL provider for " + options.safeUrl()
                        + " (schema " + options.schema() + ") is closed", false, null);
            }
            try {
                return mode == Mode.READ ? autocommit(work) : inTransaction(mode == Mode.VOLATILE, work);
            } catch (SQLException e) {
                if (PostgresErrors.isConflict(e) && attempt < MAX_CONFLICT_ATTEMPTS && !closed) {
                    backoff(operation, attempt, e);
                    continue;
                }
                throw PostgresErrors.wrap(operation, e);
            }
        }
    }

    private static void backoff(String operation, int attempt, SQLException cause) {
        long base = Math.min(200, 5L << attempt);
        long millis = base + ThreadLocalRandom.current().nextLong(base + 1);
        LOG.log(Level.DEBUG, () -> operation + ": " + cause.getSQLState() + ", retry " + attempt + " in " + millis + " ms");
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProviderException failure = new ProviderException(operation, "interrupted while waiting to retry: "
                    + cause.getMessage(), true, PostgresErrors.kind(cause), cause);
            failure.addSuppressed(e);
            throw failure;
        }
    }

    private <T> T inTransaction(boolean volatileCommit, Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (Tx tx = new Tx(c)) {
                if (volatileCommit) {
                    tx.bind("SET LOCAL synchronous_commit = off").execute();
                }
                T result = work.run(tx);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private <T> T autocommit(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection(); Tx tx = new Tx(c)) {
            return work.run(tx);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
    }
}
