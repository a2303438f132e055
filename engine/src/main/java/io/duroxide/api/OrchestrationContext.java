package io.duroxide.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Everything an orchestration may do. Every method is deterministic under replay. */
public interface OrchestrationContext {
    String instanceId();

    String name();

    String version();

    long executionId();

    /** The time of the history event being replayed, never the wall clock. */
    Instant currentTime();

    /** True while the code is re-executing steps that history already recorded. */
    boolean isReplaying();

    /** A UUID derived from the instance, execution and call order: the same on every replay. */
    UUID newUuid();

    <V> Task<V> callActivity(String name, Object input, ActivityOptions options, Class<V> resultType);

    default <V> Task<V> callActivity(String name, Object input, Class<V> resultType) {
        return callActivity(name, input, ActivityOptions.DEFAULT, resultType);
    }

    Task<Void> createTimer(Duration delay);

    /**
     * Waits for the next event raised with this name. Events raised before the wait are buffered
     * and delivered in arrival order.
     */
    <V> Task<V> waitForExternalEvent(String name, Class<V> type);

    /** Like {@link #waitForExternalEvent(String, Class)}, failing with kind TIMEOUT after the timeout. */
    <V> Task<V> waitForExternalEvent(String name, Duration timeout, Class<V> type);

    <V> Task<V> callSubOrchestration(String name, Object input, SubOrchestrationOptions options, Class<V> resultType);

    default <V> Task<V> callSubOrchestration(String name, Object input, Class<V> resultType) {
        return callSubOrchestration(name, input, SubOrchestrationOptions.DEFAULT, resultType);
    }

    /** Ends this execution and starts a new one of the same instance with fresh history and this input. */
    void continueAsNew(Object input);

    /** A JSON-serialisable status visible to clients; null clears it. Committed with the turn. */
    void setCustomStatus(Object status);

    /** Completes with all results in argument order, or fails with the first failure in argument order. */
    <V> Task<List<V>> allOf(List<Task<V>> tasks);

    /** Completes with the first task to complete in history order: the same winner on every replay. */
    Task<Task<?>> anyOf(List<? extends Task<?>> tasks);
}
