package io.duroxide.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.testing.ContentionChecks.LogLine;
import io.duroxide.testing.ContentionChecks;
import io.duroxide.testing.ContentionWorkload;
import io.duroxide.testing.WorkloadProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three runtime JVMs on one PostgreSQL schema run the shared multi-process workload (chains, fan-out,
 * timers, sub-orchestrations, continue-as-new); one is killed with SIGKILL once it has done part of
 * the work. Checks from the database that every instance completed exactly as the SQLite test expects,
 * with a replayable history, and from the children's shared log that every activity ran, the killed
 * process and the survivors all did work, and no two committed turns of an instance ever held its lock at once.
 */
class PostgresMultiNodeTest {
    @RegisterExtension
    static final PostgresTestDatabase PG = new PostgresTestDatabase();

    private static final int CHILDREN = 3;
    private static final int INSTANCES = 80;
    /**
     * Short locks, so the survivors take over the killed runtime's instances and activities soon. A stall longer
     * than a lock lets another runtime take the instance while the stalled turn still runs; that turn's commit then
     * fails and it is redone, so only committed turns are checked for overlap.
     */
    private static final String LOCK_TIMEOUT_MS = "5000";

    @TempDir
    Path dir;

    @Test
    void threeRuntimesShareOneDatabaseAndSurviveOneBeingKilled() throws Exception {
        String schema = PG.newSchema("multinode");
        Path log = dir.resolve("work.log");
        // Create the schema before the children start, as a deployment's first runtime would.
        PostgresProvider.open(PostgresTestDatabase.options(schema)).close();

        List<WorkloadProcess> children = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        List<Path> readyFiles = new ArrayList<>();
        long victimPid;
        try {
            for (int c = 0; c < CHILDREN; c++) {
                outputs.add(dir.resolve("child-" + c + ".log"));
                readyFiles.add(dir.resolve("ready-" + c));
                children.add(ContentionChecks.startChild(PostgresContentionWorkload.class, outputs.get(c), schema,
                        log.toString(), readyFiles.get(c).toString(), String.valueOf(INSTANCES), "node-" + c,
                        LOCK_TIMEOUT_MS));
            }
            ContentionChecks.awaitReady(children, readyFiles);
            try (PostgresProvider provider = PostgresProvider.open(PostgresTestDatabase.options(schema))) {
                ContentionChecks.startWorkload(provider, INSTANCES);
            }

            WorkloadProcess victim = children.get(0);
            victimPid = victim.process().pid();
            awaitWorkDone(log, victim);
            victim.kill(); // SIGKILL on Linux: no shutdown hook, no lock released
            assertThat(victim.process().exitValue()).as("killed by SIGKILL, not ended before; %s", victim.report())
                    .isEqualTo(128 + 9);

            for (int c = 1; c < CHILDREN; c++) {
                WorkloadProcess child = children.get(c);
                int exit = child.awaitExit(ContentionWorkload.DEADLINE.plusMinutes(1));
                assertThat(exit).as("child %d exit code; %s", c, child.report()).isZero();
                assertThat(Files.readString(outputs.get(c))).contains("ALL DONE");
            }
        } finally {
            for (WorkloadProcess child : children) {
                child.process().destroyForcibly();
            }
        }

        List<LogLine> lines = ContentionChecks.readLog(log);
        // The killed runtime's unfinished activities ran again elsewhere: at least once, not exactly once.
        ContentionChecks.assertActivitiesRan(lines, INSTANCES, false);
        ContentionChecks.assertCommittedTurnsNeverOverlap(lines, INSTANCES);
        var perProcess = ContentionChecks.linesPerProcess(lines);
        System.out.println("log lines (activities and turns) per process: " + perProcess + ", killed: " + victimPid);
        assertThat(perProcess).as("all three runtimes did work").hasSize(CHILDREN).containsKey(victimPid);
        long afterKill = lines.stream().filter(l -> l.pid() != victimPid).count();
        assertThat(afterKill).as("survivors' work").isPositive();

        try (PostgresProvider provider = PostgresProvider.open(PostgresTestDatabase.options(schema))) {
            ContentionChecks.assertAllCompletedAsExpected(provider, INSTANCES, dir);
        }
    }

    /** Waits until a third of the workload's activities ran and the victim ran some of them: midway. */
    private static void awaitWorkDone(Path log, WorkloadProcess victim) throws Exception {
        long victimPid = victim.process().pid();
        long target = INSTANCES / ContentionWorkload.KINDS.length * ContentionWorkload.ACTIVITIES_PER_ROUND / 3;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            List<LogLine> lines = Files.exists(log) ? ContentionChecks.readLog(log) : List.of();
            long activities = lines.stream().filter(l -> l.type().equals("ACT")).count();
            boolean victimWorked = lines.stream().anyMatch(l -> l.pid() == victimPid && l.type().equals("ACT"));
            if (activities >= target && victimWorked) {
                return;
            }
            if (!victim.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("a third of the work, some by the victim, not done within 2 minutes (" + activities
                        + " activities so far, victim's: " + victimWorked + "): " + victim.report());
            }
            Thread.sleep(10);
        }
    }
}
