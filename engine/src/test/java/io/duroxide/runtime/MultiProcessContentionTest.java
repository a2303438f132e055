package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.testing.ContentionChecks.LogLine;
import io.duroxide.testing.ContentionChecks;
import io.duroxide.testing.ContentionWorkload;
import io.duroxide.testing.WorkloadProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three runtimes, each in its own child JVM, share one SQLite file and run a mixed workload (chains,
 * fan-out, timers, sub-orchestrations, continue-as-new) to completion. Checks from the database and from the children's
 * shared log that every instance completed correctly with a replayable history, that the work was
 * really shared, that no two committed turns of an instance held its lock at once, and that a busy database
 * never surfaced as a failure.
 */
class MultiProcessContentionTest {
    private static final int CHILDREN = 3;
    private static final int INSTANCES = 80;

    @TempDir
    Path dir;

    @Test
    void threeProcessesShareOneFileAndProcessEveryInstanceExclusively() throws Exception {
        Path db = dir.resolve("contention.db");
        Path log = dir.resolve("work.log");
        // Create the schema before the children race to open the file.
        SqliteProvider.open(db).close();

        List<WorkloadProcess> children = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        List<Path> readyFiles = new ArrayList<>();
        try {
            for (int c = 0; c < CHILDREN; c++) {
                Path out = dir.resolve("child-" + c + ".log");
                outputs.add(out);
                readyFiles.add(dir.resolve("ready-" + c));
                children.add(ContentionChecks.startChild(ContentionWorkload.class, out, db.toString(), log.toString(),
                        readyFiles.get(c).toString(), String.valueOf(INSTANCES), "contender-" + c));
            }
            ContentionChecks.awaitReady(children, readyFiles);

            // Every runtime is polling: start the whole workload at once from this (fourth) process.
            try (SqliteProvider provider = SqliteProvider.open(db)) {
                ContentionChecks.startWorkload(provider, INSTANCES);
            }

            for (int c = 0; c < CHILDREN; c++) {
                WorkloadProcess child = children.get(c);
                int exit = child.awaitExit(ContentionWorkload.DEADLINE.plusMinutes(1));
                assertThat(exit).as("child %d exit code; %s", c, child.report()).isZero();
            }
        } finally {
            for (WorkloadProcess child : children) {
                child.process().destroyForcibly();
            }
        }

        for (Path out : outputs) {
            String text = Files.readString(out);
            System.out.println("---- " + out.getFileName() + "\n" + text);
            // Busy retries inside the provider log at DEBUG, so nothing about a busy database may show up:
            // a message here means a busy error escaped the provider's retries.
            assertThat(text).as(out.toString()).contains("ALL DONE")
                    .doesNotContain("SQLITE_BUSY").doesNotContain("SQLITE_LOCKED")
                    .doesNotContain("database is locked").doesNotContain("stayed busy");
        }

        List<LogLine> lines = ContentionChecks.readLog(log);
        // No lock expired in this run (30 s locks, renewed), so an activity that ran twice was handed to two workers at once.
        ContentionChecks.assertActivitiesRan(lines, INSTANCES, true);
        ContentionChecks.assertCommittedTurnsNeverOverlap(lines, INSTANCES);
        Set<Long> activityPids = new HashSet<>();
        lines.stream().filter(l -> l.type().equals("ACT")).forEach(l -> activityPids.add(l.pid()));
        assertThat(activityPids).as("processes that executed activities").hasSizeGreaterThanOrEqualTo(2);
        System.out.println("log lines (activities and turns) per process: " + ContentionChecks.linesPerProcess(lines));

        try (SqliteProvider provider = SqliteProvider.open(db)) {
            ContentionChecks.assertAllCompletedAsExpected(provider, INSTANCES, dir);
        }
    }
}
