package io.duroxide.agent.instrumentation;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.ParentRef;
import io.duroxide.runtime.TurnCommit;
import net.bytebuddy.asm.Advice;

/**
 * Woven into {@code OrchestrationDispatcher#commitTurn(TurnCommit)}. Records only when the method
 * returned normally, i.e. the turn is durably committed; a lost lock throws and records nothing.
 * Inlined into the engine: it may reference engine types and {@link Bridge} (bootstrap) only.
 */
public final class CommitTurnAdvice {
    private CommitTurnAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Argument(0) TurnCommit turn, @Advice.Thrown Throwable thrown) {
        if (thrown != null || turn == null) {
            return;
        }
        FailureDetails f = turn.failure();
        ParentRef p = turn.parent();
        Bridge.turnCommitted(
                turn.instanceId(),
                turn.orchestrationName(),
                turn.version(),
                turn.executionId(),
                turn.initiatedBy() == null ? null : turn.initiatedBy().name(),
                turn.startsExecution(),
                turn.outcome() == null ? null : turn.outcome().name(),
                f == null || f.kind() == null ? null : f.kind().name(),
                f == null ? null : f.classChain(),
                f == null ? null : f.message(),
                f == null ? null : f.errorCode(),
                turn.turnCount(),
                turn.historySize(),
                turn.executionStartedAt(),
                turn.committedAt(),
                p == null ? null : p.orchestrationName());
    }
}
