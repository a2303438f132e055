/**
 * The observation points: the values an external observer (such as the duroxide metrics agent) reads at the
 * few runtime methods it weaves advice into. The engine contains no metrics code; instead these methods carry
 * in their arguments and return values everything an observer needs to record truthful numbers without
 * changing behaviour. The woven methods stay in {@code io.duroxide.runtime}, whose classes are internal (an
 * agent matches them by name); the values they pass are the public types of this package, so the runtime
 * exposes no class of its own for advice to compile against.
 *
 * <h2>Observation points</h2>
 * <ul>
 *   <li>{@code io.duroxide.runtime.OrchestrationDispatcher#commitTurn(TurnCommit)}: one orchestration turn.
 *       When it returns normally the turn is durable; when it throws nothing was committed.
 *       {@link io.duroxide.observe.TurnCommit} says how the execution was initiated
 *       ({@link io.duroxide.history.InitiatedBy}: client, sub-orchestration, continue-as-new, signal),
 *       whether this turn started it ({@code startsExecution}: true exactly once per execution, so
 *       replays, redelivered turns and restarts never repeat it), its outcome
 *       ({@link io.duroxide.observe.TurnOutcome}), failure details, the durable turn count, the history
 *       size, the durable start time of the execution (end-to-end duration survives restarts and
 *       processes), and the parent orchestration of a sub-orchestration. Turns that only drain messages
 *       of an ended instance do not pass through it.</li>
 *   <li>{@code io.duroxide.runtime.ActivityInvoker#invoke(ActivityInvocation)}: one activity attempt, never
 *       throwing. The {@link io.duroxide.observe.ActivityInvocation} carries the activity name, tag, retry
 *       attempt (0 for the first try), delivery count and, in its work item, the instance and execution that
 *       scheduled it; the {@link io.duroxide.observe.ActivityOutcome} says success, or failure with its type
 *       (application error, infrastructure error, timeout, cancelled), its
 *       {@link io.duroxide.history.FailureDetails} (class chain, message, error code, retryable), whether the
 *       retry policy will schedule another attempt, and the attempt's duration.</li>
 *   <li>{@code io.duroxide.runtime.DispatcherLoop#process(Object)}: one item processed by a dispatcher slot
 *       (woven in every subclass); its duration is busy time. {@code DispatcherLoop#start()} and
 *       {@code stop(Duration)} bracket the loop's life. The loop is a {@link io.duroxide.observe.DispatcherLoopView}:
 *       {@code workerType()}, {@code workerId()} (one per runtime and type) and {@code slots()} identify it, and
 *       {@code provider()} gives the store whose {@link io.duroxide.provider.Provider#queueDepths()} and
 *       {@link io.duroxide.provider.Provider#countActiveInstances()} report backlog and active instances.</li>
 *   <li>Every {@link io.duroxide.provider.Provider} method: storage latency and errors. Failures are
 *       {@link io.duroxide.provider.ProviderException}s whose cause chain holds the driver's exception
 *       (for SQLite, an {@code org.sqlite.SQLiteException} with its result code).</li>
 * </ul>
 * These signatures, the names of the woven classes and methods, and the types of this package are a
 * compatibility contract: change them only together with the agent.
 */
package io.duroxide.observe;
