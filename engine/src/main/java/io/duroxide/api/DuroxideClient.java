package io.duroxide.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Starts, signals, controls and inspects instances. A runtime's {@code client()} is one; a process that
 * hosts no runtime makes one from the store alone ({@code new io.duroxide.runtime.ProviderClient(provider)}).
 */
public interface DuroxideClient {

    /** Starts the latest version of the orchestration under a new random instance id, which it returns. */
    default String startOrchestration(String name, Object input) {
        return startOrchestration(name, input, new StartOptions(null, null));
    }

    /**
     * @throws InstanceAlreadyExistsException if the id is taken
     * @throws UnknownOrchestrationException if the runtime refuses unknown orchestrations and does not know this one
     */
    String startOrchestration(String name, Object input, StartOptions options);

    /**
     * Raises an event on the instance, starting it first if it does not exist.
     *
     * @return true if this call started the instance
     * @throws UnknownOrchestrationException if the runtime refuses unknown orchestrations and does not know this one
     *     (even when the instance exists: the request names an orchestration this process cannot run)
     */
    boolean signalWithStart(String name, Object input, StartOptions options, String eventName, Object eventData);

    /**
     * Delivers an event to a waiting (or future) {@code waitForExternalEvent} of the instance.
     *
     * @throws InstanceNotFoundException if there is no such instance
     * @throws IllegalStateException if the instance has ended and would never see the event
     */
    void raiseEvent(String instanceId, String eventName, Object data);

    /** Cancels the instance and its running sub-orchestrations; it ends with status CANCELLED. */
    void cancel(String instanceId, String reason);

    /** Stops running the instance's code until {@link #resume}; messages are kept meanwhile. */
    void suspend(String instanceId, String reason);

    void resume(String instanceId, String reason);

    Optional<InstanceStatus> getStatus(String instanceId);

    /**
     * Waits until the instance completes, fails or is cancelled.
     *
     * @throws WaitTimeoutException if it is still running after the timeout
     * @throws InstanceNotFoundException if there is no such instance
     */
    InstanceStatus waitForCompletion(String instanceId, Duration timeout);

    List<InstanceStatus> listInstances(InstanceQuery query);

    /**
     * Deletes an ended instance, its history and its sub-orchestrations.
     *
     * @return instances deleted (0 if none existed)
     * @throws IllegalStateException if it or a child is still running
     */
    int purgeInstance(String instanceId);

    /**
     * Frees the history of old executions of an instance that continues as new, keeping the newest
     * {@code keepLast} (at least 1: the current execution is always kept).
     *
     * @return executions deleted
     */
    int pruneExecutions(String instanceId, int keepLast);
}
