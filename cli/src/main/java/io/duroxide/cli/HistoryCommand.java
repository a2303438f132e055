package io.duroxide.cli;

import io.duroxide.api.InstanceStatus;
import io.duroxide.cli.Timeline.Entry;
import io.duroxide.cli.Timeline.Wait;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.Provider;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "history", description = {"An execution's history as a timeline: every turn, every activity attempt"
        + " (scheduled, started, how long it ran, its error), timers, events, sub-orchestrations;",
        "then what the instance waits for now and since when."})
final class HistoryCommand extends InstanceCommand {
    @Option(names = "--execution", paramLabel = "N", description = "execution number (default: the current one)")
    Long execution;

    @Override
    void show(Provider provider, InstanceStatus instance, PrintWriter out) {
        long executionId = execution == null ? instance.executionId() : execution;
        if (executionId < 1 || executionId > instance.executionId()) {
            throw new CliFailure(CliFailure.REFUSED, "instance '" + instance.instanceId() + "' has executions 1 to "
                    + instance.executionId() + ", not " + executionId);
        }
        List<HistoryEvent> history = provider.readHistory(instance.instanceId(), executionId);
        List<Wait> waits = executionId == instance.executionId() ? Waits.of(provider, instance, history)
                : List.of(Wait.of("nothing", "nothing: execution " + executionId + " continued as new", null));
        Timeline timeline = new Timeline(instance.instanceId(), instance.name(), executionId, instance.status().name(),
                TimelineEntries.of(history), waits);
        if (json) {
            CliJson.print(out, timeline);
            return;
        }
        out.println("instance " + timeline.instanceId() + "  " + timeline.name() + "  execution " + executionId + "  "
                + timeline.status());
        Table table = new Table("TIME", "TURN", "TASK", "EVENT");
        for (Entry e : timeline.entries()) {
            table.row(Text.time(e.at()), e.turn(), e.taskId() == null ? "" : "#" + e.taskId(), e.detail());
        }
        table.print(out);
        out.println();
        out.println("WAITING FOR");
        for (Wait w : timeline.waitingFor()) {
            out.println("  " + w.detail());
        }
    }
}
