package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.Registry;
import io.duroxide.history.HistoryEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The priming at start runs a whole turn's code, local steps included, and leaves nothing behind. */
class FirstTurnPrimingTest extends EngineTestBase {
    @Test
    void thePrimingTurnRunsBothStepsInTheTurnAndCompletesAndItsEventsReadBackAsWritten() {
        List<HistoryEvent> events = FirstTurnPriming.run(RuntimeOptions.DEFAULTS, JsonConverter.DEFAULT);

        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("ExecutionStarted",
                "ActivityScheduled", "ActivityCompleted", "ActivityScheduled", "ActivityCompleted", "ExecutionCompleted");
        assertThat(((HistoryEvent.ExecutionCompleted) events.get(5)).output()).isEqualTo("1");
    }

    @Test
    void aStartedRuntimeHasStoredNothingOfThePriming() {
        DuroxideRuntime runtime = harness.runtime(new Registry());

        assertThat(runtime.client().listInstances(InstanceQuery.all())).isEmpty();
        assertThat(harness.openProvider().queueDepths().orchestratorReady()).isZero();
    }
}
