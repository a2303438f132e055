package io.duroxide.provider.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.provider.ProviderException;
import io.duroxide.provider.jdbc.SqlDatabase;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: writes that queue while a transaction runs are committed together by the next one, each
 * in its own savepoint. A first write holds its transaction open until the others are queued, so the
 * batch they form is known.
 */
class GroupCommitTest {
    @TempDir
    Path dir;
    private SqliteDatabase db;
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<CompletableFuture<?>> started = new ArrayList<>();

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(dir.resolve("group.db"), SqliteDatabase.Settings.DEFAULT);
        db.write("create", tx -> tx.update("CREATE TABLE t(v TEXT NOT NULL)"));
    }

    @AfterEach
    void close() {
        release.countDown();
        db.close();
    }

    @Test
    void writesQueuedBehindARunningTransactionCommitInOneTransaction() throws Exception {
        CompletableFuture<Integer> first = holdTransactionOpen("a");
        List<CompletableFuture<Integer>> queued = List.of(insert("b"), insert("c"), insert("d"));
        awaitQueued(3);
        long before = db.transactions();
        release.countDown();

        assertThat(first.get(1, TimeUnit.MINUTES)).isEqualTo(1);
        for (CompletableFuture<Integer> f : queued) {
            assertThat(f.get(1, TimeUnit.MINUTES)).isEqualTo(1);
        }
        assertThat(db.transactions() - before).as("transactions after the first one").isEqualTo(1);
        assertThat(rows()).containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    @Test
    void aWriteThatFailsInABatchIsRolledBackAloneAndTheOthersCommit() throws Exception {
        holdTransactionOpen("a");
        CompletableFuture<Integer> b = insert("b");
        CompletableFuture<Integer> failing = submit(tx -> {
            tx.update("INSERT INTO t(v) VALUES ('x')");
            throw new IllegalStateException("this write fails after inserting x");
        });
        CompletableFuture<Integer> c = insert("c");
        awaitQueued(3);
        release.countDown();

        assertThat(b.get(1, TimeUnit.MINUTES)).isEqualTo(1);
        assertThat(c.get(1, TimeUnit.MINUTES)).isEqualTo(1);
        assertThatThrownBy(() -> failing.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(rows()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void whenTheSharedTransactionIsLostNoWriteOfTheBatchIsReportedDone() throws Exception {
        holdTransactionOpen("a");
        CompletableFuture<Integer> b = insert("b");
        CompletableFuture<Integer> breaking = submit(tx -> {
            tx.update("INSERT INTO t(v) VALUES ('x')");
            tx.update("ROLLBACK"); // what SQLite does on its own after some errors (disk full, I/O)
            throw new SQLException("the transaction is gone");
        });
        CompletableFuture<Integer> c = insert("c");
        awaitQueued(3);
        release.countDown();

        for (CompletableFuture<Integer> f : List.of(b, breaking, c)) {
            assertThatThrownBy(() -> f.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ProviderException.class);
        }
        assertThat(rows()).containsExactly("a");
        int inserted = db.write("after", tx -> tx.update("INSERT INTO t(v) VALUES ('e')"));
        assertThat(inserted).as("a write after the lost transaction").isEqualTo(1);
        assertThat(rows()).containsExactlyInAnyOrder("a", "e");
    }

    /** Inserts {@code value} in a transaction that stays open until {@link #release} opens. */
    @Test
    void aWriteTheCommitterDoesNotCompleteFailsInsteadOfWaitingForever() {
        GroupCommit forgetful = new GroupCommit(batch -> { });
        assertThatThrownBy(() -> forgetful.write(new GroupCommit.Write<>("forgotten", tx -> 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("forgotten: write was not completed by its batch");
    }

    @Test
    void aCompletedWriteKeepsItsResult() throws SQLException {
        GroupCommit committing = new GroupCommit(batch -> batch.forEach(w -> {
            try {
                w.run(null);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            w.committed();
        }));
        Integer result = committing.write(new GroupCommit.Write<Integer>("kept", tx -> 42));
        assertThat(result).isEqualTo(42);
    }

    private CompletableFuture<Integer> holdTransactionOpen(String value) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Integer> f = submit(tx -> {
            int n = tx.update("INSERT INTO t(v) VALUES (?)", value);
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return n;
        });
        assertThat(inside.await(1, TimeUnit.MINUTES)).isTrue();
        return f;
    }

    private CompletableFuture<Integer> insert(String value) {
        return submit(tx -> tx.update("INSERT INTO t(v) VALUES (?)", value));
    }

    private CompletableFuture<Integer> submit(SqlDatabase.Work<Integer> work) {
        CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> db.write("test", work),
                r -> new Thread(r, "writer-" + started.size()).start());
        started.add(f);
        return f;
    }

    private void awaitQueued(int writes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (db.queuedWrites() < writes) {
            assertThat(System.nanoTime()).as("%d writes queued in time", writes).isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    private List<String> rows() {
        return db.read("rows", tx -> {
            List<String> values = new ArrayList<>();
            try (ResultSet rs = tx.bind("SELECT v FROM t ORDER BY v").executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        });
    }
}
