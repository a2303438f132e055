package io.duroxide.cli;

import io.duroxide.api.InstanceStatus;
import io.duroxide.cli.InstanceView.FailureView;
import io.duroxide.cli.Timeline.Wait;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.SubOrchestrationScheduled;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.Provider;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "show", description = "An instance: status, version, execution, custom status, input and output,"
        + " failure, parent and sub-orchestrations, and what it waits for.")
final class ShowCommand extends InstanceCommand {
    @Option(names = "--width", paramLabel = "N", defaultValue = "200",
            description = "cut payloads to N characters, 0 for all (default: ${DEFAULT-VALUE}; --json never cuts)")
    int width;

    @Override
    void show(Provider provider, InstanceStatus instance, PrintWriter out) {
        List<HistoryEvent> history = provider.readHistory(instance.instanceId(), instance.executionId());
        ExecutionRecord execution = provider.getExecution(instance.instanceId(), instance.executionId()).orElse(null);
        List<Child> children = history.stream().filter(SubOrchestrationScheduled.class::isInstance)
                .map(e -> Child.of(provider, (SubOrchestrationScheduled) e)).toList();
        Details details = new Details(InstanceView.of(instance), execution == null ? null : execution.startedAt(),
                execution == null ? null : execution.turnCount(), children, Waits.of(provider, instance, history));
        if (json) {
            CliJson.print(out, details);
            return;
        }
        Table fields = new Table("FIELD", "VALUE")
                .row("instance", instance.instanceId())
                .row("orchestration", instance.name() + " " + instance.version())
                .row("status", instance.status())
                .row("execution", instance.executionId() + (execution == null ? ""
                        : " (started " + Text.time(execution.startedAt()) + ", " + execution.turnCount() + " turns)"))
                .row("created", Text.time(instance.createdAt()))
                .row("updated", Text.time(instance.lastUpdatedAt()))
                .row("custom status", Text.truncate(instance.customStatus(), width))
                .row("input", Text.truncate(instance.input(), width))
                .row("output", Text.truncate(instance.output(), width))
                .row("parent", instance.parentInstanceId());
        FailureView failure = details.instance().failure();
        if (failure != null) {
            fields.row("failure", instance.failure().summary())
                    .row("cause chain", String.join(" <- ", failure.classChain()))
                    .row("retryable", failure.retryable());
        }
        for (Child child : children) {
            fields.row("sub-orchestration", child.instanceId() + " " + child.name() + " " + child.status());
        }
        for (Wait wait : details.waitingFor()) {
            fields.row("waiting for", wait.detail());
        }
        fields.print(out);
    }

    /** {@code show --json}: the instance, its current execution, its sub-orchestrations and its waits. */
    record Details(InstanceView instance, Instant executionStartedAt, Integer turns, List<Child> subOrchestrations,
            List<Wait> waitingFor) {}

    /** A sub-orchestration started by the current execution; its status is {@code MISSING} once purged. */
    record Child(String instanceId, String name, String status) {
        static Child of(Provider provider, SubOrchestrationScheduled s) {
            return new Child(s.instanceId(), s.name(),
                    provider.getInstance(s.instanceId()).map(c -> c.status().name()).orElse("MISSING"));
        }
    }
}
