package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.AttemptRun;
import io.duroxide.history.HistoryEvent.ActivityCompleted;
import io.duroxide.history.HistoryEvent.ActivityFailed;
import io.duroxide.history.HistoryEvent.ActivityScheduled;
import io.duroxide.history.HistoryEvent;
import io.duroxide.runtime.ProviderClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each activity attempt's result carries when the attempt ran ({@link AttemptRun}), so a timeline can tell the
 * wait in the queue from the run; histories written before the field existed still read, without it.
 */
class AttemptRunTest extends EngineTestBase {
    private static final long RUN_MS = 60;

    private ProviderClient retryingWorkload() {
        Registry registry = new Registry()
                .addActivity("SlowThenFails", String.class, (ctx, in) -> {
                    Thread.sleep(RUN_MS);
                    if (ctx.attemptNumber() < 3) {
                        throw new IllegalStateException("attempt " + ctx.attemptNumber() + " failed");
                    }
                    return "ok";
                })
                .addOrchestration("Retries", String.class, (ctx, in) -> ctx.callActivity("SlowThenFails", in,
                        ActivityOptions.retry(RetryPolicy.fixed(3, Duration.ofMillis(50))), String.class).await());
        return harness.runtime(registry).client();
    }

    @Test
    void everyAttemptsResultSaysWhenItRanBetweenItsScheduleAndTheTurnThatReadIt() {
        ProviderClient client = retryingWorkload();
        String id = client.startOrchestration("Retries", "x");
        assertThat(await(client, id).status()).isEqualTo(RuntimeStatus.COMPLETED);

        List<HistoryEvent> history = client.getHistory(id);
        Map<Integer, Long> scheduledAt = new HashMap<>();
        int results = 0;
        for (HistoryEvent e : history) {
            if (e instanceof ActivityScheduled s) {
                scheduledAt.put(s.taskId(), s.timestampMs());
                continue;
            }
            AttemptRun run = e instanceof ActivityCompleted c ? c.run() : e instanceof ActivityFailed f ? f.run() : null;
            if (run == null) {
                continue;
            }
            int taskId = ((HistoryEvent.TaskCompletion) e).taskId();
            results++;
            assertThat(run.deliveryCount()).as("task %d fetched once", taskId).isEqualTo(1);
            assertThat(run.startedAtMs()).as("task %d started after it was scheduled", taskId)
                    .isGreaterThanOrEqualTo(scheduledAt.get(taskId));
            assertThat(run.durationMs()).as("task %d ran its sleep", taskId).isGreaterThanOrEqualTo(RUN_MS - 1);
            assertThat(run.finishedAtMs()).as("task %d finished before the turn that appended its result", taskId)
                    .isLessThanOrEqualTo(e.timestampMs());
        }
        assertThat(results).as("two failed attempts and the one that succeeded").isEqualTo(3);
    }

    @Test
    void historyWrittenBeforeAttemptRunsWereRecordedStillReads() throws SQLException {
        ProviderClient client = retryingWorkload();
        String id = client.startOrchestration("Retries", "x");
        await(client, id);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + harness.dbFile());
                Statement s = c.createStatement()) {
            int rewritten = s.executeUpdate("UPDATE history SET event_json = json_remove(event_json, '$.run')"
                    + " WHERE event_type IN ('ActivityCompleted', 'ActivityFailed')");
            assertThat(rewritten).isEqualTo(3);
        }

        List<HistoryEvent> history = client.getHistory(id);

        assertThat(history).filteredOn(e -> e instanceof ActivityFailed).hasSize(2)
                .allSatisfy(e -> assertThat(((ActivityFailed) e).run()).isNull());
        assertThat(history).filteredOn(e -> e instanceof ActivityCompleted).singleElement()
                .satisfies(e -> assertThat(((ActivityCompleted) e).run()).isNull())
                .satisfies(e -> assertThat(((ActivityCompleted) e).result()).isEqualTo("\"ok\""));
    }
}
