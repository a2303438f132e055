package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.ActivityLease;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Size and text: payloads up to the engine's 1 MiB limit and text outside ASCII come back exactly as written,
 * long histories come back complete and in order (from reads and with fetches), and a turn with hundreds of
 * effects is stored as a whole.
 */
public abstract class LargePayloadValidation extends ProviderValidation {
    /** The engine refuses larger payloads before they reach a provider. */
    private static final int MAX_PAYLOAD_CHARS = 1 << 20;

    /** A JSON string of about {@code chars} characters that compresses badly and is not one repeated character. */
    private static String jsonString(int chars) {
        StringBuilder b = new StringBuilder(chars + 2).append('"');
        for (int i = 0; b.length() < chars - 1; i++) {
            b.append(Integer.toString(i * 7919, 36)).append(' ');
        }
        return b.append('"').toString();
    }

    @Test
    public void aMegabyteInputIsStoredAndDeliveredUnchanged() {
        String input = jsonString(MAX_PAYLOAD_CHARS);
        provider.createInstance(new NewInstance("a", new HistoryEvent.ExecutionStarted(now(), "Orch", "1.0", input,
                InitiatedBy.CLIENT, null)));
        assertThat(provider.getInstance("a").orElseThrow().input()).isEqualTo(input);
        OrchestrationWorkItem item = fetch();
        assertThat(((HistoryEvent.ExecutionStarted) item.messages().get(0).event()).input()).isEqualTo(input);
        provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
        assertThat(((HistoryEvent.ExecutionStarted) provider.readHistory("a", 1).get(0)).input()).isEqualTo(input);
    }

    @Test
    public void megabyteResultsOutputsAndCustomStatusesComeBackUnchanged() {
        String result = jsonString(MAX_PAYLOAD_CHARS);
        String status = jsonString(MAX_PAYLOAD_CHARS / 2);
        scenarios().startWithActivities("a", 1);
        ActivityLease lease = provider.fetchActivity(LONG_LOCK).orElseThrow();
        provider.completeActivity(lease.lockToken(), ValidationSupport.completion("a", 1, result));
        OrchestrationWorkItem item = fetch();
        assertThat(((HistoryEvent.ActivityCompleted) item.messages().get(0).event()).result()).isEqualTo(result);
        provider.commitTurn(item.lockToken(), Turn.consuming(item).customStatus(status).completed(result).build());

        InstanceStatus done = provider.getInstance("a").orElseThrow();
        assertThat(done.output()).isEqualTo(result);
        assertThat(done.customStatus()).isEqualTo(status);
        List<HistoryEvent> history = provider.readHistory("a", 1);
        assertThat(((HistoryEvent.ExecutionCompleted) history.get(history.size() - 1)).output()).isEqualTo(result);
    }

    @Test
    public void textOutsideAsciiAndEscapedControlCharactersRoundTrip() {
        String text = "\"gr\u00fc\u00df \u65e5\u672c \ud83d\ude80 \\u0000 \\n \\t \\\" \\\\ \u2028\"";
        FailureDetails failure = FailureDetails.of(FailureKind.APPLICATION, "Bo\u00f6m", "f\u00e4il \ud83d\udca5 \u0000 end",
                false);
        scenarios().startAndRunFirstTurn("\u00fcnic\u00f6de-\ud83d\ude80");
        provider.enqueueOrchestratorMessage(new OrchestratorMessage("\u00fcnic\u00f6de-\ud83d\ude80", null,
                new HistoryEvent.EventRaised(now(), "\u00e9v\u00e9nement", text)), null);
        OrchestrationWorkItem item = fetch();
        HistoryEvent.EventRaised raised = (HistoryEvent.EventRaised) item.messages().get(0).event();
        assertThat(raised.data()).isEqualTo(text);
        assertThat(raised.name()).isEqualTo("\u00e9v\u00e9nement");
        provider.commitTurn(item.lockToken(), Turn.consuming(item).customStatus(text).failed(failure).build());

        InstanceStatus status = provider.getInstance("\u00fcnic\u00f6de-\ud83d\ude80").orElseThrow();
        assertThat(status.customStatus()).isEqualTo(text);
        assertThat(status.failure()).isEqualTo(failure);
        assertThat(provider.readHistory(status.instanceId(), 1).get(1)).isEqualTo(raised);
    }

    @Test
    public void aLongHistoryBuiltOverManyTurnsComesBackCompleteAndInOrder() {
        int turns = 50;
        int eventsPerTurn = 20;
        scenarios().startAndRunFirstTurn("a");
        for (int turn = 0; turn < turns; turn++) {
            provider.enqueueOrchestratorMessage(event("a", "t" + turn), null);
            OrchestrationWorkItem item = fetch();
            assertThat(item.history()).hasSize(1 + turn * (1 + eventsPerTurn));
            Turn write = Turn.consuming(item);
            for (int e = 0; e < eventsPerTurn; e++) {
                write.events(new HistoryEvent.TimerCreated(now(), turn * eventsPerTurn + e, e));
            }
            provider.commitTurn(item.lockToken(), write.build());
        }
        List<HistoryEvent> history = provider.readHistory("a", 1);
        assertThat(history).hasSize(1 + turns * (1 + eventsPerTurn));
        List<Integer> timerIds = history.stream().filter(e -> e instanceof HistoryEvent.TimerCreated)
                .map(e -> ((HistoryEvent.TimerCreated) e).taskId()).toList();
        assertThat(timerIds).isSortedAccordingTo(Integer::compare).hasSize(turns * eventsPerTurn);
        assertThat(provider.getExecution("a", 1).orElseThrow().turnCount()).isEqualTo(turns + 1);
    }

    @Test
    public void aTurnWithHundredsOfEffectsIsStoredWhole() {
        int activities = 300;
        int messages = 300;
        scenarios().startAndRunFirstTurn("a");
        provider.enqueueOrchestratorMessage(event("a", "fan-out"), null);
        OrchestrationWorkItem item = fetch();
        Turn turn = Turn.consuming(item);
        List<HistoryEvent> scheduled = new ArrayList<>();
        for (int task = 1; task <= activities; task++) {
            scheduled.add(new HistoryEvent.ActivityScheduled(now(), task, "Act", "\"x\"", null, 0, 1, 0));
            turn.activity(workItem("a", 1, task));
        }
        for (int m = 0; m < messages; m++) {
            turn.message(event("a", "self-" + m));
        }
        provider.commitTurn(item.lockToken(), turn.events(scheduled).build());

        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(messages, activities));
        assertThat(provider.readHistory("a", 1)).hasSize(2 + activities);
        assertThat(provider.fetchActivities(LONG_LOCK, activities)).extracting(l -> l.item().taskId())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, activities).boxed().toList());
        assertThat(fetch().messages()).extracting(ValidationSupport::eventName)
                .containsExactlyElementsOf(IntStream.range(0, messages).mapToObj(m -> "self-" + m).toList());
    }
}
