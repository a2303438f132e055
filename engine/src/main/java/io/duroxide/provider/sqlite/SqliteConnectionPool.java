package io.duroxide.provider.sqlite;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/**
 * At most {@code size} connections to one SQLite file, kept open for their whole life so each keeps its page
 * cache and its compiled statements. The first is opened at once, so a file that cannot be opened fails here; the
 * others when they are first needed. A borrower waits for a free connection at most {@code borrowTimeoutMs},
 * then gets an {@link SQLTransientConnectionException} (retryable). Everything the engine needs of a pool and no
 * more: a general one (HikariCP) would bring SLF4J into every application that only uses SQLite.
 */
final class SqliteConnectionPool implements AutoCloseable {
    private final String name;
    private final SQLiteDataSource source;
    private final int size;
    private final long borrowTimeoutMs;
    /** Free connections, the most recently returned last (its cache is the warmest). Guarded by {@code this}. */
    private final ArrayDeque<SQLiteConnection> idle = new ArrayDeque<>();
    /** Connections open or being opened, borrowed or not. Guarded by {@code this}. */
    private int open;
    private boolean closed;

    /** One borrowed connection; closing the lease gives the connection back. */
    final class Lease implements AutoCloseable {
        private final SQLiteConnection connection;
        private boolean ended;

        private Lease(SQLiteConnection connection) {
            this.connection = connection;
        }

        SQLiteConnection connection() {
            return connection;
        }

        /** Closes the connection instead of giving it back (an error may have left it unusable); another is opened when needed. */
        void discard() {
            if (!ended) {
                ended = true;
                closeQuietly(connection);
                released(null);
            }
        }

        @Override
        public void close() {
            if (!ended) {
                ended = true;
                released(connection);
            }
        }
    }

    SqliteConnectionPool(String name, SQLiteDataSource source, int size, long borrowTimeoutMs) throws SQLException {
        this.name = name;
        this.source = source;
        this.size = size;
        this.borrowTimeoutMs = borrowTimeoutMs;
        idle.add(openConnection());
        open = 1;
    }

    /** A free connection, a new one while fewer than {@code size} are open, or the first one given back. */
    Lease borrow() throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(borrowTimeoutMs);
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new SQLException(name + " is closed");
                }
                SQLiteConnection free = idle.pollLast();
                if (free != null) {
                    return new Lease(free);
                }
                if (open < size) {
                    open++; // the slot is taken now; the connection is opened outside the lock
                    break;
                }
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw new SQLTransientConnectionException(name + ": all " + size + " connections stayed in use for "
                            + borrowTimeoutMs + " ms");
                }
                try {
                    wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLTransientConnectionException(name + ": interrupted while waiting for a connection", e);
                }
            }
        }
        try {
            return new Lease(openConnection());
        } catch (SQLException | RuntimeException e) {
            released(null);
            throw e;
        }
    }

    /** A connection given back, or (null) a slot freed; after {@link #close()} a connection given back is closed. */
    private synchronized void released(SQLiteConnection connection) {
        if (connection != null && !closed) {
            idle.addLast(connection);
        } else {
            if (connection != null) {
                closeQuietly(connection);
            }
            open--;
        }
        notifyAll();
    }

    private SQLiteConnection openConnection() throws SQLException {
        return source.getConnection().unwrap(SQLiteConnection.class);
    }

    /** Closes the free connections now and each borrowed one when it is given back; borrowing then fails. */
    @Override
    public synchronized void close() {
        closed = true;
        for (SQLiteConnection c : idle) {
            closeQuietly(c);
        }
        open -= idle.size();
        idle.clear();
        notifyAll();
    }

    private static void closeQuietly(SQLiteConnection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a connection that is broken anyway
        }
    }
}
