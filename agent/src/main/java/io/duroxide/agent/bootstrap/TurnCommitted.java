package io.duroxide.agent.bootstrap;

import java.time.Instant;
import java.util.List;

/**
 * One durably committed orchestration turn, as the commit-turn advice read it from the engine's {@code TurnCommit}:
 * engine values under their own names, enums by their constant name ({@code Enum#name()}), JDK types only (this
 * class lives in the bootstrap loader). The recorder turns them into label values ({@code SpecLabelValues}).
 *
 * <p>Like a JFR event, it is filled field by field and handed on: {@link #begin} gives the calling thread's one
 * instance, cleared, so a turn allocates no event. Whoever receives it reads it during the call and keeps nothing:
 * the thread's next turn overwrites it (the bridge keeps a {@link #copy} of a turn it holds while the agent starts).
 */
public final class TurnCommitted {
    public String instanceId;
    public long executionId;
    public String orchestrationName;
    public String version;
    /** {@code InitiatedBy} name. */
    public String initiatedBy;
    /** True on the first committed turn of an execution, exactly once per execution. */
    public boolean startsExecution;
    /** {@code TurnOutcome} name. */
    public String outcome;
    /** The failure's {@code FailureKind} name; null when the turn did not fail or cancel the execution. */
    public String failureKind;
    public List<String> failureClassChain;
    public String failureMessage;
    public String failureErrorCode;
    /** Durable number of committed turns of the execution, this one included. */
    public int turnCount;
    /** Events in the execution's history after this turn. */
    public int historySize;
    /** Durable creation time of the execution; with {@link #committedAt} the end-to-end duration. */
    public Instant executionStartedAt;
    public Instant committedAt;
    /** The parent orchestration's name when this is a sub-orchestration, else null. */
    public String parentOrchestration;

    private static final TurnCommitted CLEAR = new TurnCommitted();
    private static final ThreadLocal<TurnCommitted> THREAD = ThreadLocal.withInitial(TurnCommitted::new);

    /** The calling thread's event, every field cleared. */
    public static TurnCommitted begin() {
        return THREAD.get().set(CLEAR);
    }

    /** A new event with this one's values (a held turn must survive the thread's next one). */
    public TurnCommitted copy() {
        return new TurnCommitted().set(this);
    }

    /** Every field from {@code from}: the one list of the fields besides their declarations. */
    private TurnCommitted set(TurnCommitted from) {
        instanceId = from.instanceId;
        executionId = from.executionId;
        orchestrationName = from.orchestrationName;
        version = from.version;
        initiatedBy = from.initiatedBy;
        startsExecution = from.startsExecution;
        outcome = from.outcome;
        failureKind = from.failureKind;
        failureClassChain = from.failureClassChain;
        failureMessage = from.failureMessage;
        failureErrorCode = from.failureErrorCode;
        turnCount = from.turnCount;
        historySize = from.historySize;
        executionStartedAt = from.executionStartedAt;
        committedAt = from.committedAt;
        parentOrchestration = from.parentOrchestration;
        return this;
    }
}
