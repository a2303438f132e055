package io.duroxide.api;

/**
 * An orchestration: deterministic code that coordinates durable work. It is re-executed from the
 * beginning on every turn, so it must not read clocks, random numbers, environment or I/O directly;
 * use the {@link OrchestrationContext} for all of them.
 */
@FunctionalInterface
public interface Orchestration<I, O> {
    O run(OrchestrationContext ctx, I input);
}
