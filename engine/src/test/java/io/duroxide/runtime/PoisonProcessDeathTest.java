package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureKind;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.testing.HaltingWorkload;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
        for (int run = 0; run < 10 && exit != 0; run++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    HaltingWorkload.class.getName(), db.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child-" + run + ".log").toFile()).start();
            assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("child run %d ends", run).isTrue();
            exit = child.exitValue();
            if (exit == 3) {
                deaths++;
            }
        }

        assertThat(exit).as("the last run finishes normally").isZero();
        // Usually one death per delivery; a lock that expires under heavy load can let one process fetch it twice.
        assertThat(deaths).as("worker deaths").isBetween(1, HaltingWorkload.MAX_DELIVERIES);
        try (SqliteProvider provider = SqliteProvider.open(db)) {
            InstanceStatus victim = provider.getInstance("victim").orElseThrow();
            assertThat(victim.status()).isEqualTo(RuntimeStatus.FAILED);
            assertThat(victim.failure().kind()).isEqualTo(FailureKind.POISON);
            assertThat(victim.failure().message()).contains("activity 'Halt' was delivered 4 times (max 3)");
            InstanceStatus bystander = provider.getInstance("bystander").orElseThrow();
            assertThat(bystander.status()).as(String.valueOf(bystander.failure())).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(bystander.outputAs(String.class)).isEqualTo("x done");
        }
    }
}
