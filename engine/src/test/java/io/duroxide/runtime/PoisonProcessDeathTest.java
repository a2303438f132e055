package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.FailureKind;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.testing.HaltingWorkload;
import io.duroxide.testing.WorkloadProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An activity whose worker process dies every time it runs ends as a poison failure and blocks nothing else. */
class PoisonProcessDeathTest {
    @TempDir
    Path dir;

    @Test
    void activityThatKillsItsWorkerIsPoisonedAfterTheDeliveryLimit() throws Exception {
        Path db = dir.resolve("poison.db");
        int deaths = 0;
        int exit = -1;
        StringBuilder reports = new StringBuilder();
        for (int run = 0; run < 10 && exit != 0; run++) {
            WorkloadProcess child = WorkloadProcess.start(HaltingWorkload.class, dir.resolve("child-" + run + ".log"), db.toString());
            exit = child.awaitExit(Duration.ofMinutes(2));
            reports.append(child.report()).append('\n');
            assertThat(exit).as("run %d ends normally or halted by the activity; %s", run, reports).isIn(0, HaltingWorkload.HALTED);
            if (exit == HaltingWorkload.HALTED) {
                deaths++;
            }
        }

        assertThat(exit).as("the last run finishes normally; %s", reports).isZero();
        assertThat(deaths).as("worker deaths; %s", reports).isBetween(1, HaltingWorkload.MAX_DELIVERIES);
        try (SqliteProvider provider = SqliteProvider.open(db)) {
            InstanceStatus victim = provider.getInstance("victim").orElseThrow();
            assertThat(victim.status()).as(reports.toString()).isEqualTo(RuntimeStatus.FAILED);
            assertThat(victim.failure().kind()).as(reports.toString()).isEqualTo(FailureKind.POISON);
            Matcher delivered = Pattern.compile("activity 'Halt' was delivered (\\d+) times \\(max 3\\)").matcher(victim.failure().message());
            assertThat(delivered.find()).as(victim.failure().message()).isTrue();
            // Usually each death spends one delivery and the fourth is poisoned. Under heavy load a lock can still
            // expire (a delivery spent without a death), or a run can die while it records the poison (one more).
            assertThat(Integer.parseInt(delivered.group(1))).as("deliveries: one per death, then the poisoned one; %s", reports)
                    .isGreaterThanOrEqualTo(Math.max(deaths + 1, HaltingWorkload.MAX_DELIVERIES + 1));
            InstanceStatus bystander = provider.getInstance("bystander").orElseThrow();
            assertThat(bystander.status()).as(String.valueOf(bystander.failure())).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(bystander.outputAs(String.class)).isEqualTo("x done");
        }
    }
}
