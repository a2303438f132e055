package io.duroxide.runtime;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.DuroxideException;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.PayloadTooLargeException;
import io.duroxide.api.StartOptions;
import io.duroxide.api.WaitTimeoutException;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The {@link DuroxideClient} that works against the store alone, so it can run in a process that hosts no
 * runtime ({@code new ProviderClient(provider)}); a runtime's {@code client()} is one wired to that runtime.
 */
public final class ProviderClient implements DuroxideClient {
    private final Provider provider;
    private final JsonConverter json;
    private final Runnable onEnqueue;
    private final InstanceEndings endings;
    private final StartCheck startCheck;
    private final EagerStart eagerStart;

    /** A client without a runtime: it checks no orchestration names and polls for endings. */
    public ProviderClient(Provider provider) {
        this(provider, () -> { }, null, StartCheck.NONE, EagerStart.NONE);
    }

    /**
     * A client for a co-located runtime.
     *
     * @param onEnqueue called after each message is stored (the runtime uses it to wake its dispatcher)
     * @param endings where the runtime announces the instances it ends, so waits return at once; null to poll only
     * @param startCheck what to do with starts of orchestrations the runtime's registry does not know
     * @param eagerStart where a start may run its first turn at once instead of going through the queue
     */
    ProviderClient(Provider provider, Runnable onEnqueue, InstanceEndings endings, StartCheck startCheck,
            EagerStart eagerStart) {
        this.provider = provider;
        this.json = JsonConverter.DEFAULT;
        this.onEnqueue = onEnqueue;
        this.endings = endings;
        this.startCheck = startCheck;
        this.eagerStart = eagerStart;
    }

    /** Where this client's waits hear of endings; null when it only polls. For tests. */
    InstanceEndings endings() {
        return endings;
    }

    @Override
    public String startOrchestration(String name, Object input, StartOptions options) {
        String id = instanceIdOf(options);
        NewInstance start = new NewInstance(id, started(name, options.version(), input, InitiatedBy.CLIENT));
        startCheck.beforeStore(name, options.version());
        if (!eagerStart.startHere(start)) {
            provider.createInstance(start);
            onEnqueue.run();
        }
        startCheck.stored(id, name, options.version());
        return id;
    }

    @Override
    public boolean signalWithStart(String name, Object input, StartOptions options, String eventName, Object eventData) {
        String id = instanceIdOf(options);
        NewInstance start = new NewInstance(id, started(name, options.version(), input, InitiatedBy.SIGNAL));
        OrchestratorMessage signal = message(id, new HistoryEvent.EventRaised(now(), requireName(eventName), payload("data of event '" + eventName + "'", eventData)));
        startCheck.beforeStore(name, options.version());
        boolean started = provider.signalWithStart(start, signal);
        if (started) {
            startCheck.stored(id, name, options.version());
        }
        onEnqueue.run();
        return started;
    }

    @Override
    public void raiseEvent(String instanceId, String eventName, Object data) {
        requireLive(instanceId, "raise event '" + eventName + "' on");
        send(instanceId, new HistoryEvent.EventRaised(now(), requireName(eventName), payload("data of event '" + eventName + "'", data)));
    }

    @Override
    public void cancel(String instanceId, String reason) {
        requireLive(instanceId, "cancel");
        send(instanceId, new HistoryEvent.ExecutionCancelRequested(now(), reason == null ? "cancelled" : reason));
    }

    @Override
    public void suspend(String instanceId, String reason) {
        requireLive(instanceId, "suspend");
        send(instanceId, new HistoryEvent.ExecutionSuspended(now(), reason));
    }

    @Override
    public void resume(String instanceId, String reason) {
        requireLive(instanceId, "resume");
        send(instanceId, new HistoryEvent.ExecutionResumed(now(), reason));
    }

    @Override
    public Optional<InstanceStatus> getStatus(String instanceId) {
        return provider.getInstance(instanceId);
    }

    @Override
    public InstanceStatus waitForCompletion(String instanceId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMs = 2;
        try (InstanceEndings.Watch watch = endings == null ? null : endings.watch(instanceId)) {
            while (true) {
                InstanceStatus status = provider.getInstance(instanceId).orElseThrow(() -> new InstanceNotFoundException(instanceId));
                if (status.status().isTerminal()) {
                    return status;
                }
                if (System.nanoTime() >= deadline) {
                    throw new WaitTimeoutException(instanceId, timeout, status.status());
                }
                long pauseNanos = Math.min(pauseMs * 1_000_000, Math.max(1_000_000, deadline - System.nanoTime()));
                if (watch == null) {
                    sleep(pauseNanos);
                } else {
                    watch.await(pauseNanos);
                    throwIfInterrupted();
                }
                pauseMs = Math.min(pauseMs * 2, 50);
            }
        }
    }

    @Override
    public List<InstanceStatus> listInstances(InstanceQuery query) {
        return provider.listInstances(query);
    }

    /**
     * The history of the instance's current execution, in the engine's own event types (which is why it is
     * here and not on {@link DuroxideClient}: those types belong to the engine, not to the API).
     *
     * @throws InstanceNotFoundException if there is no such instance
     */
    public List<HistoryEvent> getHistory(String instanceId) {
        InstanceStatus status = provider.getInstance(instanceId).orElseThrow(() -> new InstanceNotFoundException(instanceId));
        return provider.readHistory(instanceId, status.executionId());
    }

    @Override
    public int purgeInstance(String instanceId) {
        return provider.purgeInstance(instanceId);
    }

    @Override
    public int pruneExecutions(String instanceId, int keepLast) {
        return provider.pruneExecutions(instanceId, keepLast);
    }

    private HistoryEvent.ExecutionStarted started(String name, String version, Object input, InitiatedBy by) {
        return new HistoryEvent.ExecutionStarted(now(), requireName(name), version, payload("input of '" + name + "'", input), by, null);
    }

    private String payload(String what, Object value) {
        return PayloadTooLargeException.check(what, json.toJson(value), PayloadTooLargeException.MAX_PAYLOAD_BYTES);
    }

    private void requireLive(String instanceId, String action) {
        InstanceStatus status = provider.getInstance(instanceId).orElseThrow(() -> new InstanceNotFoundException(instanceId));
        if (status.status().isTerminal()) {
            throw new IllegalStateException("cannot " + action + " instance '" + instanceId + "': it has already ended with status " + status.status());
        }
    }

    private void send(String instanceId, HistoryEvent event) {
        provider.enqueueOrchestratorMessage(message(instanceId, event), null);
        onEnqueue.run();
    }

    private static OrchestratorMessage message(String instanceId, HistoryEvent event) {
        return new OrchestratorMessage(instanceId, null, event);
    }

    private static String instanceIdOf(StartOptions options) {
        if (options.instanceId() == null) {
            return UUID.randomUUID().toString();
        }
        return requireName(options.instanceId());
    }

    private static String requireName(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("names and instance ids must not be blank");
        }
        return value;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DuroxideException("interrupted while waiting", e);
        }
    }

    private static void throwIfInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new DuroxideException("interrupted while waiting", new InterruptedException());
        }
    }
}
