package io.duroxide.runtime;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.OrchestrationContext;
import io.duroxide.api.PayloadTooLargeException;
import io.duroxide.api.RetryPolicy;
import io.duroxide.api.SubOrchestrationOptions;
import io.duroxide.api.Task;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.ActivityCompleted;
import io.duroxide.history.HistoryEvent.ActivityFailed;
import io.duroxide.history.HistoryEvent.ActivityScheduled;
import io.duroxide.history.HistoryEvent.EventRaised;
import io.duroxide.history.HistoryEvent.SubOrchestrationCompleted;
import io.duroxide.history.HistoryEvent.SubOrchestrationFailed;
import io.duroxide.history.HistoryEvent.SubOrchestrationScheduled;
import io.duroxide.history.HistoryEvent.TaskCompletion;
import io.duroxide.history.HistoryEvent.TaskScheduled;
import io.duroxide.history.HistoryEvent.TimerCreated;
import io.duroxide.history.HistoryEvent.TimerFired;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The orchestration context of one turn. It walks history lazily: an await on an unfinished task
 * consumes the next event, and only when history is exhausted does the turn suspend. Scheduling calls
 * allocate task ids in call order and queue an expected schedule event; the schedule events in history
 * must match them one for one, or the code is nondeterministic.
 */
final class ReplayContext implements OrchestrationContext {
    private final String instanceId;
    private final String name;
    private final String version;
    private final long executionId;
    private final List<HistoryEvent> events;
    private final int persistedCount;
    private final long turnTimeMs;
    private final JsonConverter json;

    private int cursor;
    private long currentTimeMs;
    private int nextTaskId;
    private int uuidCounter;
    private final TreeMap<Integer, TaskScheduled> pending = new TreeMap<>();
    private final Map<Integer, OpenTask> open = new HashMap<>();
    private final Map<String, ArrayDeque<String>> bufferedEvents = new HashMap<>();
    private final Map<String, ArrayDeque<Consumer<String>>> eventWaiters = new HashMap<>();

    private boolean customStatusSet;
    private String customStatusJson;
    private boolean continueAsNewRequested;
    private String continueAsNewInput;
    private String suspendedOn;
    private FailureDetails nondeterminism;

    private record OpenTask(TaskScheduled scheduled, Consumer<TaskCompletion> deliver) {}

    ReplayContext(
            String instanceId,
            String name,
            String version,
            long executionId,
            List<HistoryEvent> events,
            int persistedCount,
            long turnTimeMs,
            JsonConverter json) {
        this.instanceId = instanceId;
        this.name = name;
        this.version = version;
        this.executionId = executionId;
        this.events = events;
        this.persistedCount = persistedCount;
        this.turnTimeMs = turnTimeMs;
        this.json = json;
    }

    // ---- the replay loop ---------------------------------------------------------------------

    /** Consumes the next history event; false when history is exhausted. */
    boolean advance() {
        if (nondeterminism != null) {
            throw new ReplayAbort(nondeterminism);
        }
        if (cursor >= events.size()) {
            return false;
        }
        int step = cursor + 1;
        HistoryEvent event = events.get(cursor++);
        currentTimeMs = Math.max(currentTimeMs, event.timestampMs());
        if (event instanceof TaskScheduled scheduled) {
            match(step, scheduled);
        } else if (event instanceof TaskCompletion completion) {
            OpenTask task = open.remove(completion.taskId());
            if (task == null || !answers(task.scheduled(), completion)) {
                throw nondeterministic("history step " + step + " is " + Describe.event(completion)
                        + " but the code has no open " + Describe.expectedScheduleFor(completion) + " with task id " + completion.taskId());
            }
            task.deliver().accept(completion);
        } else if (event instanceof EventRaised raised) {
            ArrayDeque<Consumer<String>> waiters = eventWaiters.get(raised.name());
            if (waiters != null && !waiters.isEmpty()) {
                waiters.poll().accept(raised.data());
            } else {
                bufferedEvents.computeIfAbsent(raised.name(), n -> new ArrayDeque<>()).add(raised.data());
            }
        }
        return true;
    }

    private void match(int step, TaskScheduled recorded) {
        TaskScheduled emitted = pending.remove(recorded.taskId());
        if (emitted == null || !sameStep(emitted, recorded)) {
            String actual = emitted != null ? Describe.event(emitted)
                    : pending.isEmpty() ? "nothing more" : Describe.event(pending.firstEntry().getValue());
            throw nondeterministic("history step " + step + " expected " + Describe.event(recorded)
                    + " but the orchestration code scheduled " + actual);
        }
    }

    private static boolean sameStep(TaskScheduled a, TaskScheduled b) {
        if (a instanceof ActivityScheduled x && b instanceof ActivityScheduled y) {
            return x.name().equals(y.name());
        }
        if (a instanceof SubOrchestrationScheduled x && b instanceof SubOrchestrationScheduled y) {
            return x.name().equals(y.name());
        }
        return a instanceof TimerCreated && b instanceof TimerCreated;
    }

    private static boolean answers(TaskScheduled scheduled, TaskCompletion completion) {
        if (scheduled instanceof ActivityScheduled) {
            return completion instanceof ActivityCompleted || completion instanceof ActivityFailed;
        }
        if (scheduled instanceof TimerCreated) {
            return completion instanceof TimerFired;
        }
        return completion instanceof SubOrchestrationCompleted || completion instanceof SubOrchestrationFailed;
    }

    private ReplayAbort nondeterministic(String message) {
        nondeterminism = new FailureDetails(
                FailureKind.NONDETERMINISM, "io.duroxide.Nondeterminism", List.of("io.duroxide.Nondeterminism"),
                "nondeterministic orchestration '" + name + "' (instance " + instanceId + "): " + message, null, false);
        return new ReplayAbort(nondeterminism);
    }

    TurnSuspension suspend(String awaiting) {
        suspendedOn = awaiting;
        return new TurnSuspension("waiting for " + awaiting);
    }

    // ---- state read by the executor -----------------------------------------------------------

    boolean hasRemainingEvents() {
        return cursor < events.size();
    }

    String suspendedOn() {
        return suspendedOn;
    }

    FailureDetails nondeterminism() {
        return nondeterminism;
    }

    boolean continueAsNewRequested() {
        return continueAsNewRequested;
    }

    String continueAsNewInput() {
        return continueAsNewInput;
    }

    boolean customStatusSet() {
        return customStatusSet;
    }

    String customStatusJson() {
        return customStatusJson;
    }

    /** Work the code scheduled that history does not hold yet, in task-id order. */
    List<TaskScheduled> newActions() {
        return new ArrayList<>(pending.values());
    }

    JsonConverter json() {
        return json;
    }

    // ---- OrchestrationContext ----------------------------------------------------------------

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public long executionId() {
        return executionId;
    }

    @Override
    public Instant currentTime() {
        return Instant.ofEpochMilli(currentTimeMs);
    }

    @Override
    public boolean isReplaying() {
        return cursor < persistedCount;
    }

    @Override
    public UUID newUuid() {
        String seed = instanceId + '/' + executionId + '/' + currentTimeMs + '/' + uuidCounter++;
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public <V> Task<V> callActivity(String activityName, Object input, ActivityOptions options, Class<V> resultType) {
        ActivityOptions opts = options == null ? ActivityOptions.DEFAULT : options;
        String inputJson = payload("input of activity '" + activityName + "'", input);
        if (opts.retryPolicy().maxAttempts() == 1 && opts.timeout() == null) {
            return scheduleActivity(activityName, inputJson, opts, 0, resultType);
        }
        DurableTask<V> result = new DurableTask<>(this, "activity '" + activityName + "'");
        startAttempt(result, activityName, inputJson, opts, 0, resultType);
        return result;
    }

    private <V> void startAttempt(
            DurableTask<V> result, String activityName, String inputJson, ActivityOptions opts, int attempt, Class<V> type) {
        DurableTask<V> attemptTask = scheduleActivity(activityName, inputJson, opts, attempt, type);
        DurableTask<V> bounded = opts.timeout() == null ? attemptTask
                : withTimeout(attemptTask, opts.timeout(), "activity '" + activityName + "' attempt " + (attempt + 1));
        bounded.onDone(() -> {
            if (!bounded.isFailed()) {
                result.complete(bounded.value());
                return;
            }
            RetryPolicy policy = opts.retryPolicy();
            if (!RetryPolicy.willRetry(attempt, policy.maxAttempts(), bounded.failure().retryable())) {
                result.fail(bounded.failure());
                return;
            }
            Duration delay = policy.delayAfter(attempt + 1);
            if (delay.isZero() || delay.isNegative()) {
                startAttempt(result, activityName, inputJson, opts, attempt + 1, type);
            } else {
                timer(delay).onDone(() -> startAttempt(result, activityName, inputJson, opts, attempt + 1, type));
            }
        });
    }

    private <V> DurableTask<V> scheduleActivity(String activityName, String inputJson, ActivityOptions opts, int attempt, Class<V> type) {
        int taskId = nextTaskId++;
        long timeoutMs = opts.timeout() == null ? 0 : opts.timeout().toMillis();
        DurableTask<V> task = new DurableTask<>(this, "activity '" + activityName + "'");
        schedule(new ActivityScheduled(turnTimeMs, taskId, activityName, inputJson, opts.tag(), attempt,
                opts.retryPolicy().maxAttempts(), timeoutMs), completion -> {
            if (completion instanceof ActivityCompleted done) {
                completeWithJson(task, done.result(), type);
            } else {
                task.fail(((ActivityFailed) completion).failure());
            }
        });
        return task;
    }

    private <V> DurableTask<V> withTimeout(DurableTask<V> task, Duration timeout, String what) {
        DurableTask<V> bounded = new DurableTask<>(this, task.description());
        DurableTask<Void> deadline = timer(timeout);
        task.onDone(() -> {
            if (task.isFailed()) {
                bounded.fail(task.failure());
            } else {
                bounded.complete(task.value());
            }
        });
        deadline.onDone(() -> bounded.fail(timeoutFailure(what + " timed out after " + timeout.toMillis() + " ms")));
        return bounded;
    }

    static FailureDetails timeoutFailure(String message) {
        return new FailureDetails(FailureKind.TIMEOUT, "io.duroxide.Timeout", List.of("io.duroxide.Timeout"), message, null, true);
    }

    @Override
    public Task<Void> createTimer(Duration delay) {
        return timer(delay);
    }

    private DurableTask<Void> timer(Duration delay) {
        int taskId = nextTaskId++;
        long fireAt = currentTimeMs + Math.max(0, delay.toMillis());
        DurableTask<Void> task = new DurableTask<>(this, "timer #" + taskId);
        schedule(new TimerCreated(turnTimeMs, taskId, fireAt), completion -> task.complete(null));
        return task;
    }

    @Override
    public <V> Task<V> waitForExternalEvent(String eventName, Class<V> type) {
        DurableTask<V> task = new DurableTask<>(this, "external event '" + eventName + "'");
        ArrayDeque<String> buffered = bufferedEvents.get(eventName);
        if (buffered != null && !buffered.isEmpty()) {
            completeWithJson(task, buffered.poll(), type);
        } else {
            eventWaiters.computeIfAbsent(eventName, n -> new ArrayDeque<>()).add(data -> completeWithJson(task, data, type));
        }
        return task;
    }

    @Override
    public <V> Task<V> waitForExternalEvent(String eventName, Duration timeout, Class<V> type) {
        DurableTask<V> task = (DurableTask<V>) waitForExternalEvent(eventName, type);
        if (task.isDone()) {
            return task;
        }
        Consumer<String> waiter = eventWaiters.get(eventName).peekLast();
        DurableTask<V> bounded = withTimeout(task, timeout, "wait for external event '" + eventName + "'");
        bounded.onDone(() -> {
            if (!task.isDone()) {
                eventWaiters.get(eventName).remove(waiter);
            }
        });
        return bounded;
    }

    @Override
    public <V> Task<V> callSubOrchestration(String childName, Object input, SubOrchestrationOptions options, Class<V> resultType) {
        SubOrchestrationOptions opts = options == null ? SubOrchestrationOptions.DEFAULT : options;
        int taskId = nextTaskId++;
        String childId = opts.instanceId() != null ? opts.instanceId()
                : instanceId + "::sub::" + (executionId == 1 ? "" : executionId + ".") + taskId;
        DurableTask<V> task = new DurableTask<>(this, "sub-orchestration '" + childName + "' (" + childId + ")");
        schedule(new SubOrchestrationScheduled(turnTimeMs, taskId, childName, opts.version(), childId,
                payload("input of sub-orchestration '" + childName + "'", input)), completion -> {
            if (completion instanceof SubOrchestrationCompleted done) {
                completeWithJson(task, done.result(), resultType);
            } else {
                task.fail(((SubOrchestrationFailed) completion).failure());
            }
        });
        return task;
    }

    @Override
    public void continueAsNew(Object input) {
        continueAsNewInput = payload("continue-as-new input", input);
        continueAsNewRequested = true;
        throw new ReplayAbort(null);
    }

    @Override
    public void setCustomStatus(Object status) {
        customStatusJson = status == null ? null : PayloadTooLargeException.check("custom status", json.toJson(status),
                PayloadTooLargeException.MAX_CUSTOM_STATUS_BYTES);
        customStatusSet = true;
    }

    @Override
    public <V> Task<List<V>> allOf(List<Task<V>> tasks) {
        DurableTask<List<V>> all = new DurableTask<>(this, "allOf(" + tasks.size() + " tasks)");
        int[] remaining = {tasks.size()};
        Runnable check = () -> {
            if (--remaining[0] > 0) {
                return;
            }
            List<V> values = new ArrayList<>(tasks.size());
            for (Task<V> t : tasks) {
                DurableTask<V> d = (DurableTask<V>) t;
                if (d.isFailed()) {
                    all.fail(d.failure());
                    return;
                }
                values.add(d.value());
            }
            all.complete(values);
        };
        if (tasks.isEmpty()) {
            all.complete(List.of());
        }
        tasks.forEach(t -> ((DurableTask<V>) t).onDone(check));
        return all;
    }

    @Override
    public Task<Task<?>> anyOf(List<? extends Task<?>> tasks) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("anyOf needs at least one task");
        }
        DurableTask<Task<?>> any = new DurableTask<>(this, "anyOf(" + tasks.size() + " tasks)");
        for (Task<?> t : tasks) {
            ((DurableTask<?>) t).onDone(() -> any.complete(t));
        }
        return any;
    }

    private String payload(String what, Object value) {
        return PayloadTooLargeException.check(what, json.toJson(value), PayloadTooLargeException.MAX_PAYLOAD_BYTES);
    }

    private void schedule(TaskScheduled event, Consumer<TaskCompletion> deliver) {
        pending.put(event.taskId(), event);
        open.put(event.taskId(), new OpenTask(event, deliver));
    }

    private <V> void completeWithJson(DurableTask<V> task, String payload, Class<V> type) {
        V value;
        try {
            value = json.fromJson(payload, type);
        } catch (JsonConverter.PayloadException e) {
            task.fail(FailureDetails.fromThrowable(FailureKind.APPLICATION, e));
            return;
        }
        task.complete(value);
    }
}
