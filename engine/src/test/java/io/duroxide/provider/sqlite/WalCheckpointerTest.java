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
}
