package io.duroxide.provider.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/** The SQLite provider's own fixed pool: how many connections it opens, who waits, what closing does. */
class SqliteConnectionPoolTest {
    @TempDir
    Path dir;

    private SqliteConnectionPool pool(int size, long borrowTimeoutMs) throws SQLException {
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + dir.resolve("pool.db"));
        return new SqliteConnectionPool("test pool", source, size, borrowTimeoutMs);
    }

    @Test
    void aFullPoolOpensNoMoreConnectionsAndTheWaitingBorrowerGetsTheOneGivenBack() throws Exception {
        try (SqliteConnectionPool pool = pool(2, TimeUnit.MINUTES.toMillis(2))) {
            SqliteConnectionPool.Lease first = pool.borrow();
            SqliteConnectionPool.Lease second = pool.borrow();
            assertThat(first.connection()).isNotSameAs(second.connection());
            CompletableFuture<SQLiteConnection> third = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try (SqliteConnectionPool.Lease lease = pool.borrow()) {
                    third.complete(lease.connection());
                } catch (SQLException | RuntimeException e) {
                    third.completeExceptionally(e);
                }
            });
            waiter.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (waiter.getState() != Thread.State.TIMED_WAITING) {
                assertThat(System.nanoTime()).as("the third borrower waits for a connection").isLessThan(deadline);
                assertThat(third).as("the third borrower got no connection of its own").isNotDone();
                Thread.sleep(5);
            }
            first.close();
            assertThat(third.get(1, TimeUnit.MINUTES)).as("the connection given back, not a third one").isSameAs(first.connection());
            assertThat(first.connection().isClosed()).isFalse();
            second.close();
        }
    }

    @Test
    void aBorrowerThatWaitsLongerThanTheTimeoutGetsARetryableError() throws Exception {
        try (SqliteConnectionPool pool = pool(1, 200); SqliteConnectionPool.Lease only = pool.borrow()) {
            assertThatThrownBy(pool::borrow).isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessage("test pool: all 1 connections stayed in use for 200 ms");
            assertThat(only.connection().isClosed()).isFalse();
        }
    }

    @Test
    void aDiscardedConnectionIsClosedAndItsPlaceGoesToANewOne() throws Exception {
        try (SqliteConnectionPool pool = pool(1, 200)) {
            SqliteConnectionPool.Lease broken = pool.borrow();
            broken.discard();
            broken.close(); // a lease ends once: this gives nothing back
            assertThat(broken.connection().isClosed()).isTrue();
            try (SqliteConnectionPool.Lease next = pool.borrow()) {
                assertThat(next.connection()).isNotSameAs(broken.connection());
                assertThat(next.connection().isClosed()).isFalse();
            }
        }
    }

    @Test
    void closingClosesFreeConnectionsAtOnceAndBorrowedOnesWhenGivenBack() throws Exception {
        SqliteConnectionPool pool = pool(2, 200);
        SqliteConnectionPool.Lease kept = pool.borrow();
        SqliteConnectionPool.Lease returned = pool.borrow();
        returned.close();
        pool.close();
        assertThat(returned.connection().isClosed()).as("free connection").isTrue();
        assertThat(kept.connection().isClosed()).as("borrowed connection, still in use").isFalse();
        kept.close();
        assertThat(kept.connection().isClosed()).as("borrowed connection, given back").isTrue();
        assertThatThrownBy(pool::borrow).isInstanceOf(SQLException.class).hasMessage("test pool is closed");
    }

    @Test
    void aFileThatCannotBeOpenedFailsWhenThePoolIsCreated() {
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + dir.resolve("missing-directory").resolve("pool.db"));
        assertThatThrownBy(() -> new SqliteConnectionPool("test pool", source, 2, 200)).isInstanceOf(SQLException.class);
    }
}
