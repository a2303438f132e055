package io.duroxide.api;

/**
 * An orchestration: deterministic code that coordinates durable work.
 *
 * <p>The engine runs the function in turns. A turn re-executes it from the beginning over the instance's
 * history: results already recorded are handed back at once, and the first {@link Task#await()} on a result
 * history does not hold yet ends the turn (with an {@link Error}). The same code therefore runs many times
 * for one instance, on any runtime process sharing the store, and every run must take the same path.
 *
 * <h2>Determinism checklist</h2>
 * <ul>
 *   <li>Time: {@link OrchestrationContext#currentTime()} (the time history recorded), never
 *       {@code Instant.now()} or {@code System.currentTimeMillis()}.</li>
 *   <li>Ids and randomness: {@link OrchestrationContext#newUuid()}, never {@code UUID.randomUUID()} or
 *       {@code Random}; anything else random is drawn in an activity and returned.</li>
 *   <li>I/O of any kind (network, files, databases, environment variables, configuration that may change):
 *       in activities, whose results history records.</li>
 *   <li>Waiting: {@link OrchestrationContext#createTimer}, never {@code Thread.sleep}.</li>
 *   <li>Concurrency: schedule several tasks and join them with {@link OrchestrationContext#allOf} or
 *       {@link OrchestrationContext#anyOf}; never start threads, executors, {@code CompletableFuture}s or
 *       parallel streams, and never call {@code await()} from another thread.</li>
 *   <li>Order: iterate collections in an order that does not depend on the run (no identity hash codes,
 *       no unordered sets of objects without {@code equals}/{@code hashCode}).</li>
 *   <li>State: no mutable static fields or captured objects shared between runs or instances; everything
 *       an instance knows is its input and what its tasks returned.</li>
 *   <li>Errors: catch {@link TaskFailedException} (or {@code Exception}) around {@code await()}, never
 *       {@code Throwable} or {@code Error}: those carry the end of a turn and
 *       {@link OrchestrationContext#continueAsNew}.</li>
 *   <li>Side effects that must happen once (logging, metrics): guard them with
 *       {@link OrchestrationContext#isReplaying()}, or do them in an activity.</li>
 *   <li>Changing the code while instances run: register the change as a new version
 *       ({@code registry.addOrchestration(name, "2.0.0", ...)}); running instances keep the version they
 *       started with, new starts and continue-as-new take the newest.</li>
 * </ul>
 *
 * <pre>{@code
 * registry.addOrchestration("Renew", String.class, (ctx, customer) -> {
 *     Instant due = ctx.currentTime().plus(Duration.ofDays(30));    // not Instant.now()
 *     String invoiceId = ctx.newUuid().toString();                   // not UUID.randomUUID()
 *     ctx.callActivity("SendInvoice", new Invoice(invoiceId, customer, due), Void.class).await();
 *     ctx.createTimer(Duration.ofDays(30)).await();                  // not Thread.sleep
 *     return ctx.callActivity("CheckPaid", invoiceId, Boolean.class).await() ? "paid" : "overdue";
 * });
 * }</pre>
 *
 * <h2>How nondeterminism is detected today</h2>
 * Each step the code schedules (an activity attempt, a timer, a sub-orchestration; also the timers behind
 * activity timeouts, event-wait timeouts and retry back-offs) takes the next task id in call order, and must
 * match the step history recorded under that id. Only the kind of step and, for activities and
 * sub-orchestrations, the name are compared: inputs, timer durations, activity options, a child's version
 * or instance id, the names of awaited external events and custom status are not. The comparison happens
 * when a turn replays history, so changed code is noticed on the instance's next turn (the next completion,
 * timer, event or redelivery), not when it is deployed; an instance that never runs another turn is never
 * checked. Steps added after everything history holds are new work, not a mismatch; a recorded step the
 * code no longer schedules is a mismatch, found where the code should have scheduled it or, at the latest,
 * when the function returns.
 *
 * <p>A mismatch fails the instance, without retry, with failure kind {@code NONDETERMINISM}, error type
 * {@code io.duroxide.Nondeterminism} and a message naming the history step, what history recorded and
 * what the code scheduled, for example {@code history step 2 expected activity 'Reserve' (task 0) but the
 * orchestration code scheduled activity 'Charge' (task 0)}. A parent awaiting it gets a
 * {@link TaskFailedException} of that kind; the metrics agent counts it with
 * {@code error_type="nondeterminism"}.
 *
 * @param <I> the input type, read from the instance's JSON input
 * @param <O> the output type, stored as JSON when the instance completes
 */
@FunctionalInterface
public interface Orchestration<I, O> {
    O run(OrchestrationContext ctx, I input);
}
