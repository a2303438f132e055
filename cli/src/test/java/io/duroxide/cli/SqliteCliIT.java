package io.duroxide.cli;

import static io.duroxide.cli.CliContract.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line tool against a SQLite file, and what it says about files that are not stores. */
class SqliteCliIT extends CliContract {
    /** Static: the class's stores are created in {@code @BeforeAll}, before instance fields are injected. */
    @TempDir
    static Path dir;

    @Override
    protected Store createStore(String purpose) {
        Path file = dir.resolve(purpose + ".db");
        return new Store(SqliteProvider.open(file), List.of("--store", file.toString()));
    }

    @Test
    void aMissingFileIsReportedAndNeverCreated() {
        Path missing = dir.resolve("missing.db");
        assertFails(CliProcess.run("--store", missing.toString(), "list"), 3,
                "duroxide: no store at " + missing + ": the file does not exist");
        assertThat(missing).doesNotExist();
        assertFails(CliProcess.run("--store", dir.toString(), "show", "x"), 3,
                "duroxide: no store at " + dir + ": it is not a file");
        CliProcess.Result help = CliProcess.run("history", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: duroxide history [-h] [--json]");
        assertFails(CliProcess.run("list"), 2, "duroxide: no store given: pass --store FILE or --store"
                + " jdbc:postgresql://HOST:PORT/DB with user and password as URL parameters (or set DUROXIDE_STORE)");
    }

    @Test
    void aFileThatIsNotAStoreIsReportedAndLeftAsItWas() throws Exception {
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "not a database");
        CliProcess.Result result = CliProcess.run("--store", notes.toString(), "list");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).startsWith("duroxide: ").contains(notes.toString(), "not a usable SQLite database")
                .hasLineCount(1);
        assertThat(Files.readString(notes)).isEqualTo("not a database");
    }

    @Test
    void aHistoryWrittenBeforeAttemptRunsWereRecordedStillReads() throws Exception {
        Store store = populatedStore("old-history");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.args().get(1));
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE history SET event_json = json_remove(event_json, '$.run')"
                    + " WHERE instance_id = '" + Workload.CHECKOUT + "' AND event_type IN ('ActivityCompleted', 'ActivityFailed')"))
                    .as("Charge failed twice, then completed").isEqualTo(3);
        }
        CliProcess.Result human = cli(store, "history", Workload.CHECKOUT);
        assertThat(human.exitCode()).as(human.toString()).isZero();
        assertThat(human.out()).contains("activity Charge attempt 1/3 (start not recorded) failed");
        assertThat(json(store, "history", Workload.CHECKOUT, "--json").get("entries")).allSatisfy(e -> {
            if (e.has("activity")) {
                assertThat(e.get("activity").has("startedAt")).isFalse();
            }
        });
    }
}
