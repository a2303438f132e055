package io.duroxide.provider.sqlite;

import io.duroxide.provider.jdbc.SqlDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for the one writer of a SQLite database: writes that arrive while a transaction is running
 * queue up, and the next thread to take the write lock runs all of them in one transaction.
 *
 * <p>SQLite's cost per write transaction is mostly its commit, which copies every page the transaction
 * changed into the WAL; concurrent writes of the engine (a turn commit, a fetch, a batch of activity
 * results, a new instance) change the same few pages (the queues' and the history's last leaves), so one
 * commit for several of them writes far fewer pages than one commit each. A write that finds no
 * transaction running is not delayed: batches form only from writes that would have waited anyway.
 *
 * <p>Each caller's thread waits parked until its write completed; whichever waiting thread gets the lock
 * leads the next batch. The committer ({@link Committer}) decides how a batch runs and must complete every
 * write it is given.
 */
final class GroupCommit {
    /** Upper bound of writes in one transaction, so a leader's own latency stays bounded. */
    static final int MAX_BATCH = 64;
    /**
     * Batches a leader commits for writes that queued behind its own, before it hands the lock over. The
     * thread it would hand over to is parked, and waking it takes tens of microseconds on a VM, during which
     * nobody writes; a leader already running commits their batch without that gap. Each extra batch delays
     * the leader's own return by one transaction, hence the bound.
     */
    static final int MAX_MORE_BATCHES = 4;

    /** Runs a batch of writes in one transaction and completes each of them. */
    @FunctionalInterface
    interface Committer {
        void commit(List<Write<?>> batch);
    }

    /** One write: its work, and once done its result or failure. */
    static final class Write<T> {
        final String operation;
        final SqlDatabase.Work<T> work;
        private final Thread owner = Thread.currentThread();
        private T staged;
        private T result;
        private Throwable failure;
        private volatile boolean done;

        Write(String operation, SqlDatabase.Work<T> work) {
            this.operation = operation;
            this.work = work;
        }

        /** Runs the work; its result is kept until the transaction commits. */
        void run(SqliteDatabase.Tx tx) throws SQLException {
            staged = work.run(tx);
        }

        boolean isDone() {
            return done;
        }

        /** The transaction committed: the staged result is the outcome. */
        void committed() {
            if (!done) {
                result = staged;
                finish();
            }
        }

        void fail(Throwable error) {
            if (!done) {
                failure = error;
                finish();
            }
        }

        private void finish() {
            staged = null;
            done = true;
            LockSupport.unpark(owner);
        }

        T outcome() throws SQLException {
            if (failure == null) {
                return result;
            }
            if (failure instanceof SQLException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            throw (Error) failure;
        }
    }

    private final ConcurrentLinkedQueue<Write<?>> queue = new ConcurrentLinkedQueue<>();
    /** The process-wide write lock: whoever holds it runs batches (or closes the database). */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Callers of {@link #exclusively} waiting for the lock. Writers do not lead a batch meanwhile: a thread
     * writing in a loop would otherwise take the lock back each time before the waiting one wakes up, for
     * seconds on end (a WAL restart waited 13 s behind one).
     */
    private final AtomicInteger exclusiveWaiting = new AtomicInteger();
    private final Committer committer;

    GroupCommit(Committer committer) {
        this.committer = committer;
    }

    /** Queues the write and returns once a transaction ran it (committed or failed). */
    <T> T write(Write<T> write) throws SQLException {
        queue.add(write);
        boolean interrupted = false;
        while (!write.isDone()) {
            if (exclusiveWaiting.get() == 0 && lock.tryLock()) {
                try {
                    int more = 0;
                    while (!write.isDone() || (!queue.isEmpty() && more++ < MAX_MORE_BATCHES && exclusiveWaiting.get() == 0)) {
                        commit(drain());
                    }
                } finally {
                    unlockAndHandOver();
                }
            } else {
                LockSupport.park(this);
                // the write is queued and will run; waiting for it is not interruptible, like a lock
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return write.outcome();
    }

    /** Runs {@code action} while no batch runs (closing the database). */
    void exclusively(Runnable action) {
        exclusiveWaiting.incrementAndGet();
        lock.lock();
        exclusiveWaiting.decrementAndGet();
        try {
            action.run();
        } finally {
            unlockAndHandOver();
        }
    }

    /** Writes waiting for a transaction; for tests. */
    int queued() {
        return queue.size();
    }

    /**
     * After unlocking, wakes the oldest waiting write's thread to lead the next batch. A write queued after
     * this look finds the lock free (or held by a leader that will look again when it unlocks).
     */
    private void unlockAndHandOver() {
        lock.unlock();
        Write<?> next = queue.peek();
        if (next != null) {
            LockSupport.unpark(next.owner);
        }
    }

    private List<Write<?>> drain() {
        List<Write<?>> batch = new ArrayList<>();
        for (Write<?> w; batch.size() < MAX_BATCH && (w = queue.poll()) != null; ) {
            batch.add(w);
        }
        return batch;
    }

    private void commit(List<Write<?>> batch) {
        try {
            committer.commit(batch);
        } catch (Throwable t) {
            batch.forEach(w -> w.fail(t));
        }
        // a committer that forgot one must not leave its thread parked forever
        for (Write<?> w : batch) {
            if (!w.isDone()) {
                w.fail(new IllegalStateException(w.operation + ": write was not completed by its batch"));
            }
        }
    }
}
