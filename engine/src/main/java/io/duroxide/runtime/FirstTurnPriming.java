package io.duroxide.runtime;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import java.time.Instant;
import java.util.List;

/**
 * Runs the runtime's own turn machinery once, in memory, when the runtime starts: the planner plans a turn of a
 * two-step orchestration of its own (replay, the orchestration context, the local-step loop), and the events the
 * turn would write go through their stored JSON form and back. In a fresh JVM the first turns otherwise pay for
 * loading and linking these classes and for building the JSON codecs of the history events, and a burst that
 * arrives right after a deploy waits behind them. Nothing reaches the store, the activity worker or the user's
 * registry, so nothing is stored, run or counted.
 */
final class FirstTurnPriming {
    private static final System.Logger LOG = System.getLogger(FirstTurnPriming.class.getName());
    private static final String ORCHESTRATION = "duroxide::priming";
    private static final String STEP = "duroxide::priming-step";
    private static final String INSTANCE = "duroxide::priming";

    private FirstTurnPriming() {}

    /**
     * Plans the turn and reads its events back from their JSON form; returns them as read. A failure here is logged
     * and leaves the runtime to start as it would without priming: the first turns then load the code themselves.
     */
    static List<HistoryEvent> run(RuntimeOptions options, JsonConverter json) {
        try {
            return primedEvents(options, json);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "priming the turn code failed; the first turns load it instead", e);
            return List.of();
        }
    }

    private static List<HistoryEvent> primedEvents(RuntimeOptions options, JsonConverter json) {
        Registry registry = new Registry()
                .addActivity(STEP, Integer.class, (ctx, n) -> n)
                .addOrchestration(ORCHESTRATION, Integer.class, (ctx, n) -> {
                    int once = ctx.callActivity(STEP, n, Integer.class).await();
                    return ctx.callActivity(STEP, once, Integer.class).await();
                });
        long now = System.currentTimeMillis();
        Instant created = Instant.ofEpochMilli(now);
        String input = json.toJson(1);
        var start = new HistoryEvent.ExecutionStarted(now, ORCHESTRATION, null, input, InitiatedBy.CLIENT, null);
        var item = new OrchestrationWorkItem("priming",
                new InstanceStatus(INSTANCE, ORCHESTRATION, null, RuntimeStatus.PENDING, 1, input, null, null, null, null, created, created),
                new ExecutionRecord(1, InitiatedBy.CLIENT, created, 0), List.of(),
                List.of(new OrchestratorMessage(INSTANCE, 1L, start)), 1, null);
        LocalSteps completedInPlace = (activities, turnStartedNanos) -> activities.stream()
                .<HistoryEvent>map(a -> new HistoryEvent.ActivityCompleted(now, a.taskId(), a.input()))
                .toList();
        TurnPlanner.Commit commit = (TurnPlanner.Commit) new TurnPlanner(registry, options, json).plan(item, now, completedInPlace);
        return commit.turn().write().newEvents().stream().map(e -> json.fromJson(json.toJson(e), HistoryEvent.class)).toList();
    }
}
