package io.duroxide.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator's start retry against a real SQLite store that fails for a while: another connection
 * holds the file's write lock, so the provider gives up as "busy" (retryable) until the lock is released.
 */
class RetryingStartsTest {

    @Test
    @Timeout(300)
    void aStartTheStoreRefusesForAWhileIsMadeOnceTheStoreTakesWritesAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("busy.db");
        try (SqliteProvider provider = SqliteProvider.open(file);
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, new Registry()).build();
             Connection locker = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = locker.createStatement()) {
                s.execute("BEGIN EXCLUSIVE");
            }
            RetryingStarts starts = new RetryingStarts(Duration.ofMinutes(4));
            CompletableFuture<Void> start = CompletableFuture.runAsync(() -> {
                try {
                    starts.start("i-1", () -> runtime.client().startOrchestration("o", "x", StartOptions.withInstanceId("i-1")));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (starts.errors() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(starts.errors()).as("the provider reported the held lock").isPositive();
            assertThat(start).isNotDone();

            try (Statement s = locker.createStatement()) {
                s.execute("COMMIT");
            }
            start.get(2, TimeUnit.MINUTES);

            assertThat(runtime.client().getStatus("i-1")).get().extracting(st -> st.status()).isEqualTo(RuntimeStatus.PENDING);
        }
    }

    @Test
    @Timeout(120)
    void anIdTakenBeforeTheFirstAttemptIsReportedNotRetried(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("taken.db");
        try (SqliteProvider provider = SqliteProvider.open(file);
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, new Registry()).build()) {
            runtime.client().startOrchestration("o", "x", StartOptions.withInstanceId("taken"));
            RetryingStarts starts = new RetryingStarts(Duration.ofMinutes(1));

            assertThatThrownBy(() -> starts.start("taken",
                    () -> runtime.client().startOrchestration("o", "x", StartOptions.withInstanceId("taken"))))
                    .isInstanceOf(RetryingStarts.StartFailed.class)
                    .hasMessage("instance taken already exists");
            assertThat(starts.errors()).isZero();
        }
    }
}
