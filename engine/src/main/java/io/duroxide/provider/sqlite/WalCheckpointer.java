package io.duroxide.provider.sqlite;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Copies the WAL back into the database file from a thread of its own, so the writer never waits for it.
 *
 * <p>SQLite's automatic checkpoint runs inside the commit that crosses the threshold, while that commit
 * still holds the write lock, and a checkpoint is mostly two {@code fsync}s (the WAL, then the database):
 * about 50 ms on this kind of disk for a few thousand pages, during which every writer of the process
 * waited. Here a passive checkpoint runs every {@link #INTERVAL_MS} ms without the lock (writers go on
 * appending, and copying most of the WAL is what takes the time). When writing pauses, the passive
 * checkpoint catches up and the next writer starts the WAL again from the beginning by itself. Under
 * continuous writing it never catches up, so once the WAL holds more than a bound of frames a round also
 * runs a {@code RESTART} checkpoint under the write lock: it copies what was appended meanwhile and waits
 * for readers still on the WAL, so the next writer starts it again. That one costs the writers its two
 * {@code fsync}s (about 8 ms here), which is why it waits for the bound instead of running every round:
 * at every round it took a tenth of the writers' time.
 */
final class WalCheckpointer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WalCheckpointer.class.getName());
    static final long INTERVAL_MS = 100;

    /** Lends a connection for one checkpoint (given back by closing the lease). */
    @FunctionalInterface
    interface Connections {
        SqliteConnectionPool.Lease get() throws SQLException;
    }

    private final Connections connections;
    private final Consumer<Runnable> withoutWriters;
    private final long restartFrames;
    private final ScheduledExecutorService thread;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    /** WAL frames reported by the last RESTART; touched by the checkpoint thread only. */
    private long lastRestartLog = -1;

    /** @param restartFrames WAL frames beyond which a round restarts the WAL under the write lock */
    WalCheckpointer(String name, Connections connections, Consumer<Runnable> withoutWriters, long restartFrames) {
        this.connections = connections;
        this.withoutWriters = withoutWriters;
        this.restartFrames = restartFrames;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duroxide-sqlite-checkpoint-" + name);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::checkpoint, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void checkpoint() {
        try (SqliteConnectionPool.Lease lease = connections.get()) {
            Connection c = lease.connection();
            long[] result = run(c, "PASSIVE");
            // A passive checkpoint copies the WAL as it was when it began, so under continuous writing the
            // WAL is never all copied when the next writer begins, and no writer starts it over: only a
            // RESTART does. None is needed below the bound, or when nothing was written since the last one.
            if (result[0] < restartFrames || (result[0] == lastRestartLog && result[0] == result[1])) {
                return;
            }
            withoutWriters.accept(() -> {
                try {
                    long[] restart = run(c, "RESTART");
                    lastRestartLog = restart[0];
                    if (restart[2] == 0) {
                        restarts.incrementAndGet();
                    }
                } catch (SQLException e) {
                    LOG.log(Level.DEBUG, () -> "checkpoint under the write lock failed: " + e.getMessage());
                }
            });
        } catch (SQLException | RuntimeException e) {
            // the next round tries again; SQLite also checkpoints when the last connection closes
            LOG.log(Level.DEBUG, () -> "checkpoint failed: " + e.getMessage());
        } finally {
            rounds.incrementAndGet();
        }
    }

    /** Rounds finished so far; for tests. */
    long rounds() {
        return rounds.get();
    }

    /** Rounds that restarted the WAL under the write lock (finished, not busy); for tests. */
    long restarts() {
        return restarts.get();
    }

    /** One checkpoint: frames in the WAL, how many of them are now in the database file, and 1 if it could not finish. */
    private static long[] run(Connection c, String mode) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next();
            return new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(1)};
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
