package io.duroxide.observe;

import io.duroxide.provider.Provider;

/**
 * What an observer sees of one of the runtime's dispatcher loops ({@code runtime.DispatcherLoop}, the receiver
 * of the observation points {@code process(item)}, {@code start()} and {@code stop(Duration)}): which worker it
 * is and which store it works on. The loop itself stays internal to the runtime; advice woven into it reads it
 * through this interface.
 */
public interface DispatcherLoopView {
    /** {@code orchestration} or {@code activity}. */
    String workerType();

    /** Names this dispatcher: one per runtime and worker type, so it stays a bounded label. */
    String workerId();

    /** How many items the loop processes at once. */
    int slots();

    /** The store the loop fetches from; its queue depths and active instances are the loop's backlog. */
    Provider provider();
}
