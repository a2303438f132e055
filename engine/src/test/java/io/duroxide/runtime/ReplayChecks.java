package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.Orchestration;
import io.duroxide.api.Registry;
import io.duroxide.history.HistoryEvent;
import java.util.List;

/**
 * Replays a stored history through the engine's replay (package-private, hence this class lives in the
 * runtime package), for the workload checks of {@code io.duroxide.testing}.
 */
public final class ReplayChecks {
    private ReplayChecks() {}

    /** The stored history re-executes to the same result with no nondeterminism. */
    public static void assertReplays(Registry registry, InstanceStatus status, List<HistoryEvent> history) {
        var registered = registry.orchestration(status.name(), status.version()).orElseThrow();
        List<HistoryEvent> withoutEnd = history.subList(0, history.size() - 1);
        ReplayResult result = ReplayEngine.run((Orchestration<?, ?>) registered.function(), registered.inputType(), status.instanceId(),
                status.version(), status.executionId(), withoutEnd, withoutEnd.size(), System.currentTimeMillis(), JsonConverter.DEFAULT);
        assertThat(result.kind()).as(status.instanceId() + " replays").isEqualTo(ReplayResult.Kind.COMPLETED);
        assertThat(result.output()).as(status.instanceId()).isEqualTo(status.output());
    }
}
