package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.childStart;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.List;

/**
 * Multi-step states that several tests build on one provider, written once: the validation groups
 * use them through {@link ProviderValidation}, and provider-specific tests can use them directly.
 */
public final class ProviderScenarios {
    private final Provider provider;

    public ProviderScenarios(Provider provider) {
        this.provider = provider;
    }

    /** Fetches an orchestration item with a long lock, failing if there is none. */
    public OrchestrationWorkItem fetch() {
        return provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow(() -> new AssertionError("nothing to fetch"));
    }

    /** Creates the instance and commits its first turn (the start event), leaving it RUNNING. */
    public void startAndRunFirstTurn(String id) {
        provider.createInstance(newInstance(id, "Orch"));
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo(id);
        provider.commitTurn(item.lockToken(),
                Turn.of(1).events(item.messages().get(0).event()).version("Orch", "1.0").build());
    }

    /** Fetches the next item, checks it is for {@code id} and commits it as completed. */
    public void completeNext(String id, String output) {
        OrchestrationWorkItem item = fetch();
        assertThat(item.instanceId()).isEqualTo(id);
        provider.commitTurn(item.lockToken(), Turn.of(item.execution().executionId())
                .events(item.messages().get(0).event()).completed(output).build());
    }

    /** Creates the instance and commits its first turn, which schedules activity tasks 1..{@code count}. */
    public void startWithActivities(String id, int count) {
        provider.createInstance(newInstance(id, "Orch"));
        OrchestrationWorkItem item = fetch();
        Turn turn = Turn.of(1).events(item.messages().get(0).event());
        for (int task = 1; task <= count; task++) {
            turn.events(new HistoryEvent.ActivityScheduled(now(), task, "Act", "\"x\"", null, 0, 1, 0))
                    .activity(workItem(id, 1, task));
        }
        provider.commitTurn(item.lockToken(), turn.build());
    }

    /** Commits {@code item} as a continue-as-new from {@code from} to {@code from + 1}, returning the new start event. */
    public HistoryEvent.ExecutionStarted continueAsNew(OrchestrationWorkItem item, long from, String input) {
        HistoryEvent.ExecutionStarted next = new HistoryEvent.ExecutionStarted(now(), "Orch", "1.0", input,
                InitiatedBy.CONTINUE_AS_NEW, null);
        provider.commitTurn(item.lockToken(), Turn.consuming(item)
                .events(new HistoryEvent.ExecutionContinuedAsNew(now(), input))
                .message(new OrchestratorMessage(item.instanceId(), from + 1, next))
                .continueAsNew(from + 1)
                .build());
        return next;
    }

    /**
     * Starts {@code id} and continues it as new until execution {@code last} is current and has run its first turn;
     * each execution's history is its start, one event {@code "go"} and the continue-as-new.
     */
    public void runningInExecution(String id, long last) {
        startAndRunFirstTurn(id);
        for (long execution = 1; execution < last; execution++) {
            provider.enqueueOrchestratorMessage(event(id, "go"), null);
            continueAsNew(fetch(), execution, "\"" + (execution + 1) + "\"");
            OrchestrationWorkItem start = fetch();
            provider.commitTurn(start.lockToken(), Turn.consuming(start).build());
        }
    }

    /** Sends {@code id} an event and completes it in the turn that consumes it. */
    public void complete(String id, String output) {
        provider.enqueueOrchestratorMessage(event(id, "stop"), null);
        completeNext(id, output);
    }

    /**
     * Starts {@code id}, then commits a turn of execution 1 that continues as new into execution 2 with
     * input {@code "round-2"} and also enqueues activity task 9 of execution 1 (which the terminal turn removes).
     *
     * @return the start event queued for execution 2
     */
    public HistoryEvent.ExecutionStarted continuedAsNewIntoSecondExecution(String id) {
        startAndRunFirstTurn(id);
        provider.enqueueOrchestratorMessage(event(id, "go"), null);
        OrchestrationWorkItem item = fetch();
        HistoryEvent.ExecutionStarted next = new HistoryEvent.ExecutionStarted(now(), "Orch", "1.0", "\"round-2\"",
                InitiatedBy.CONTINUE_AS_NEW, null);
        provider.commitTurn(item.lockToken(), Turn.of(1)
                .events(item.messages().get(0).event(), new HistoryEvent.ExecutionContinuedAsNew(now(), "\"round-2\""))
                .activity(workItem(id, 1, 9))
                .message(new OrchestratorMessage(id, 2L, next))
                .continueAsNew(2)
                .build());
        return next;
    }

    /** root (running) → child (running) → grandchild (pending), root with one activity queued. */
    public void startTree() {
        startAndRunFirstTurn("root");
        provider.enqueueOrchestratorMessage(event("root", "go"), null);
        OrchestrationWorkItem item = fetch();
        provider.commitTurn(item.lockToken(), Turn.of(1).events(item.messages().get(0).event())
                .activity(workItem("root", 1, 1))
                .message(new OrchestratorMessage("child", 1L, childStart("Child", "root", 2)))
                .build());
        OrchestrationWorkItem child = fetch();
        provider.commitTurn(child.lockToken(), Turn.of(1).events(child.messages().get(0).event())
                .message(new OrchestratorMessage("grandchild", 1L, childStart("Grandchild", "child", 1)))
                .build());
    }

    /** {@link #startTree()}, then completes all three and leaves a late event for root in its queue. */
    public void completedTree() {
        startTree();
        completeNext("grandchild", "1");
        for (String id : List.of("child", "root")) {
            provider.enqueueOrchestratorMessage(event(id, "stop"), null);
            completeNext(id, "2");
        }
        provider.enqueueOrchestratorMessage(event("root", "after-the-end"), null);
    }
}
