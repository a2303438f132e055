package io.duroxide.observe;

import io.duroxide.history.FailureDetails;
import io.duroxide.history.InitiatedBy;
import io.duroxide.history.ParentRef;
import io.duroxide.provider.TurnWrite;
import java.time.Instant;

/**
 * One orchestration turn about to be committed: the argument of the observation point
 * {@code runtime.OrchestrationDispatcher#commitTurn(TurnCommit)}. When that method returns normally the turn
 * is durable, exactly once: a turn whose lock was lost throws instead, and replays, redeliveries and
 * restarts never produce a second successful commit of the same lifecycle change.
 *
 * @param startsExecution true on the first committed turn of an execution (count starts here)
 * @param outcome what the turn did to the execution
 * @param failure why it failed or was cancelled, else null
 * @param turnCount durable number of committed turns of this execution, including this one
 * @param historySize events in the execution's history after this turn
 * @param executionStartedAt durable time the execution was created (start request or continue-as-new)
 * @param parent the parent orchestration when this is a sub-orchestration, else null
 * @param write what the provider will store
 * @param lockToken the instance lock the turn commits under
 */
public record TurnCommit(
        String instanceId,
        String orchestrationName,
        String version,
        long executionId,
        InitiatedBy initiatedBy,
        boolean startsExecution,
        TurnOutcome outcome,
        FailureDetails failure,
        int turnCount,
        int historySize,
        Instant executionStartedAt,
        Instant committedAt,
        ParentRef parent,
        TurnWrite write,
        String lockToken) {}
