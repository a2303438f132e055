package io.duroxide.agent.advice;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.bootstrap.TurnCommitted;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.ParentRef;
import io.duroxide.observe.TurnCommit;
import net.bytebuddy.asm.Advice;

/**
 * Woven into {@code OrchestrationDispatcher#commitTurn(TurnCommit)}. Records only when the method
 * returned normally, i.e. the turn is durably committed; a lost lock throws and records nothing.
 * Inlined into the engine: it may reference engine types and the bootstrap package only.
 */
public final class CommitTurnAdvice {
    private CommitTurnAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Argument(0) TurnCommit turn, @Advice.Thrown Throwable thrown) {
        if (thrown != null || turn == null) {
            return;
        }
        TurnCommitted e = TurnCommitted.begin();
        e.instanceId = turn.instanceId();
        e.executionId = turn.executionId();
        e.orchestrationName = turn.orchestrationName();
        e.version = turn.version();
        e.initiatedBy = turn.initiatedBy() == null ? null : turn.initiatedBy().name();
        e.startsExecution = turn.startsExecution();
        e.outcome = turn.outcome() == null ? null : turn.outcome().name();
        FailureDetails f = turn.failure();
        if (f != null) {
            e.failureKind = f.kind() == null ? null : f.kind().name();
            e.failureClassChain = f.classChain();
            e.failureMessage = f.message();
            e.failureErrorCode = f.errorCode();
        }
        e.turnCount = turn.turnCount();
        e.historySize = turn.historySize();
        e.executionStartedAt = turn.executionStartedAt();
        e.committedAt = turn.committedAt();
        ParentRef p = turn.parent();
        e.parentOrchestration = p == null ? null : p.orchestrationName();
        Bridge.turnCommitted(e);
    }
}
