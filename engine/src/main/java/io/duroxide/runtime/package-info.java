/**
 * The runtime: dispatchers that fetch work from a {@link io.duroxide.provider.Provider}, the replay
 * engine that re-executes orchestration code over its history, and the activity worker.
 *
 * <h2>Observation points</h2>
 * The engine contains no metrics code. Instead, a few methods carry in their arguments and return
 * values everything an external observer (such as the duroxide metrics agent) needs, so that advice
 * woven around them can record truthful numbers without changing behaviour:
 * <ul>
 *   <li>{@link io.duroxide.runtime.OrchestrationDispatcher#commitTurn(io.duroxide.runtime.TurnCommit)}:
 *       one orchestration turn. When it returns normally the turn is durable; when it throws nothing was
 *       committed. {@link io.duroxide.runtime.TurnCommit} says how the execution was initiated
 *       ({@link io.duroxide.history.InitiatedBy}: client, sub-orchestration, continue-as-new, signal),
 *       whether this turn started it ({@code startsExecution}: true exactly once per execution, so
 *       replays, redelivered turns and restarts never repeat it), its outcome
 *       ({@link io.duroxide.runtime.TurnOutcome}), failure details, the durable turn count, the history
 *       size, the durable start time of the execution (end-to-end duration survives restarts and
 *       processes), and the parent orchestration of a sub-orchestration. Turns that only drain messages
 *       of an ended instance do not pass through it.</li>
 *   <li>{@link io.duroxide.runtime.ActivityInvoker#invoke(io.duroxide.runtime.ActivityInvocation)}: one
 *       activity attempt, never throwing. The invocation carries the activity name, tag, retry attempt
 *       (0 for the first try), delivery count and, in its work item, the instance and execution that scheduled it; the {@link io.duroxide.runtime.ActivityOutcome} says
 *       success, or failure with its type (application error, infrastructure error, timeout, cancelled),
 *       its {@link io.duroxide.history.FailureDetails} (class chain, message, error code, retryable)
 *       and whether the retry policy will schedule another attempt.</li>
 *   <li>{@link io.duroxide.runtime.DispatcherLoop#process(Object)}: one item processed by a dispatcher
 *       slot; its duration is busy time. {@link io.duroxide.runtime.DispatcherLoop#workerType()},
 *       {@link io.duroxide.runtime.DispatcherLoop#workerId()} (one per runtime and type) and
 *       {@link io.duroxide.runtime.DispatcherLoop#slots()} identify it, and
 *       {@link io.duroxide.runtime.DispatcherLoop#provider()} gives the store whose
 *       {@link io.duroxide.provider.Provider#queueDepths()} and
 *       {@link io.duroxide.provider.Provider#countActiveInstances()} report backlog and active instances.</li>
 *   <li>Every {@link io.duroxide.provider.Provider} method: storage latency and errors. Failures are
 *       {@link io.duroxide.provider.ProviderException}s whose cause chain holds the driver's exception
 *       (for SQLite, an {@code org.sqlite.SQLiteException} with its result code).</li>
 * </ul>
 * These signatures are a compatibility contract: change them only together with the agent.
 */
package io.duroxide.runtime;
