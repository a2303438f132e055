package io.duroxide.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Everything an orchestration may do. Every method is deterministic under replay: called in the same order
 * with the same arguments, it returns the same values and tasks on every re-execution of the turn.
 *
 * <p>Scheduling methods ({@code callActivity}, {@code createTimer}, {@code callSubOrchestration}, and the
 * timeout variant of {@code waitForExternalEvent}) add a step to history; on replay the step is matched to
 * the recorded one by call order, kind and name (see {@link Orchestration} for the checklist and what the
 * engine compares). They return at once; {@link Task#await()} is where the code waits, so several tasks
 * scheduled before the first {@code await()} run in parallel:
 *
 * <pre>{@code
 * List<Task<Integer>> sizes = new ArrayList<>();
 * for (String region : regions) {                    // a List: the same order on every replay
 *     sizes.add(ctx.callActivity("CountRows", region, Integer.class));
 * }
 * int total = ctx.allOf(sizes).await().stream().mapToInt(Integer::intValue).sum();
 * ctx.setCustomStatus(new Progress("counted", total));
 * if (total > 1_000_000) {
 *     ctx.continueAsNew(new Batch(total));           // never returns: the rest of the method does not run
 * }
 * return total;
 * }</pre>
 */
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

    /**
     * Like {@link #waitForExternalEvent(String, Class)}, failing after the timeout with a
     * {@link TaskFailedException} whose {@link TaskFailedException#isTimeout()} is true. The timeout is a
     * durable timer, a step of history like any other.
     */
    <V> Task<V> waitForExternalEvent(String name, Duration timeout, Class<V> type);

    <V> Task<V> callSubOrchestration(String name, Object input, SubOrchestrationOptions options, Class<V> resultType);

    default <V> Task<V> callSubOrchestration(String name, Object input, Class<V> resultType) {
        return callSubOrchestration(name, input, SubOrchestrationOptions.DEFAULT, resultType);
    }

    /**
     * Ends this execution and starts a new one of the same instance with fresh history and this input,
     * running the newest registered version. <b>It never returns</b>: it throws an {@link Error} that ends
     * the turn, so no statement after it runs (do not catch {@code Throwable} or {@code Error} around it).
     * Steps scheduled in this turn and not yet in history are dropped, and events this execution received
     * but did not consume are not carried over; events raised after it go to the new execution. Use it to
     * keep the history of long-running loops bounded.
     */
    void continueAsNew(Object input);

    /**
     * A JSON-serialisable status visible to clients; null clears it. Committed with the turn, so clients
     * see it once the turn that set it ends. Clients read it back as a value with
     * {@link InstanceStatus#customStatusAs(Class)}, or as raw JSON with {@link InstanceStatus#customStatus()}.
     * Not compared on replay. At most 256 KiB of JSON ({@link PayloadTooLargeException}).
     */
    void setCustomStatus(Object status);

    /** Completes with all results in argument order, or fails with the first failure in argument order. */
    <V> Task<List<V>> allOf(List<Task<V>> tasks);

    /** Completes with the first task to complete in history order: the same winner on every replay. */
    Task<Task<?>> anyOf(List<? extends Task<?>> tasks);
}
