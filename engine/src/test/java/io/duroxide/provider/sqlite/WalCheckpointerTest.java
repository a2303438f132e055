package io.duroxide.provider.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commits never checkpoint; the background checkpointer copies the WAL into the database file. */
class WalCheckpointerTest {
    @TempDir
    Path dir;

    @Test
    void committedPagesReachTheDatabaseFileWithoutAnyCommitCheckpointing() throws Exception {
        Path file = dir.resolve("ckpt.db");
        try (SqliteDatabase db = SqliteDatabase.open(file, SqliteDatabase.Settings.DEFAULT)) {
            int autocheckpoint = db.read("pragma", tx -> Integer.parseInt(tx.queryString("PRAGMA wal_autocheckpoint")));
            assertThat(autocheckpoint).as("pages after which a commit would checkpoint").isZero();
            long before = Files.size(file);
            db.write("create", tx -> tx.update("CREATE TABLE blobs(b BLOB NOT NULL)"));
            byte[] payload = new byte[64 * 1024];
            for (int i = 0; i < 64; i++) { // 4 MiB of rows, in the WAL first
                db.write("insert", tx -> tx.update("INSERT INTO blobs(b) VALUES (?)", (Object) payload));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (Files.size(file) < before + 4L * 1024 * 1024) {
                assertThat(System.nanoTime()).as("the rows were checkpointed into %s in time", file).isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    @Test
    void aWalUnderTheBoundIsNeverRestartedUnderTheWriteLock() throws Exception {
        try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("small.db"), SqliteDatabase.Settings.DEFAULT)) {
            db.write("create", tx -> tx.update("CREATE TABLE t(v INTEGER NOT NULL)"));
            for (int i = 0; i < 100; i++) {
                int v = i;
                db.write("insert", tx -> tx.update("INSERT INTO t(v) VALUES (?)", v));
            }
            long seen = db.checkpointer().rounds();
            awaitRounds(db, seen + 2); // the writes are before both rounds, so each had frames to copy
            assertThat(db.checkpointer().restarts()).as("rounds that took the write lock").isZero();
            long[] wal = checkpoint(db);
            assertThat(wal[1]).as("WAL frames copied, of %s", wal[0]).isEqualTo(wal[0]);
        }
    }

    @Test
    void aWalBeyondTheBoundIsRestartedSoTheNextWriterStartsItFromTheBeginning() throws Exception {
        long bound = 64;
        SqliteDatabase.Settings settings = new SqliteDatabase.Settings(5_000, 6, bound);
        try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("big.db"), settings)) {
            db.write("create", tx -> tx.update("CREATE TABLE blobs(b BLOB NOT NULL)"));
            byte[] payload = new byte[64 * 1024]; // 16 frames a row
            for (int i = 0; i < 5; i++) { // 80 frames: beyond the bound
                db.write("insert", tx -> tx.update("INSERT INTO blobs(b) VALUES (?)", (Object) payload));
            }
            long roundsBeyondBound = db.checkpointer().rounds();
            while (db.checkpointer().restarts() == 0) { // writing all along, so a passive round never catches up
                assertThat(db.checkpointer().rounds() - roundsBeyondBound)
                        .as("rounds that found the WAL beyond the bound without restarting it").isLessThanOrEqualTo(3);
                db.write("insert", tx -> tx.update("INSERT INTO blobs(b) VALUES (?)", (Object) payload));
            }
            db.write("insert", tx -> tx.update("INSERT INTO blobs(b) VALUES (?)", (Object) payload));
            assertThat(checkpoint(db)[0]).as("WAL frames after the restart: the last row's only").isLessThan(bound);
        }
    }

    private static void awaitRounds(SqliteDatabase db, long rounds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (db.checkpointer().rounds() < rounds) {
            assertThat(System.nanoTime()).as("%s checkpoint rounds in time", rounds).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A passive checkpoint's report: frames in the WAL, and how many of them are in the database file. */
    private static long[] checkpoint(SqliteDatabase db) {
        return db.read("wal", tx -> {
            try (var rs = tx.bind("PRAGMA wal_checkpoint(PASSIVE)").executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(2), rs.getLong(3)};
            }
        });
    }
}
