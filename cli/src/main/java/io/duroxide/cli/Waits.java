package io.duroxide.cli;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.cli.Timeline.Wait;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.*;
import io.duroxide.provider.InstanceWork;
import io.duroxide.provider.InstanceWork.QueuedActivity;
import io.duroxide.provider.InstanceWork.QueuedMessage;
import io.duroxide.provider.Provider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an instance waits for now, from its history (the tasks scheduled and not yet answered) and the store's
 * queues (where each task's work or answer is). An external event is not recorded until it arrives, so a
 * running instance with nothing else open is taken to wait for one.
 */
final class Waits {
    private final Provider provider;
    private final InstanceStatus instance;
    private final List<HistoryEvent> history;
    private final InstanceWork work;
    private final Instant now;

    private Waits(Provider provider, InstanceStatus instance, List<HistoryEvent> history, InstanceWork work, Instant now) {
        this.provider = provider;
        this.instance = instance;
        this.history = history;
        this.work = work;
        this.now = now;
    }

    /** The waits of the instance's current execution, whose history is {@code history}. */
    static List<Wait> of(Provider provider, InstanceStatus instance, List<HistoryEvent> history) {
        InstanceWork work = provider.instanceWork(instance.instanceId()).orElse(new InstanceWork(List.of(), List.of()));
        return new Waits(provider, instance, history, work, Instant.now()).all();
    }

    private List<Wait> all() {
        if (instance.status().isTerminal()) {
            return List.of(Wait.of("nothing", "nothing: it ended " + instance.status() + " at "
                    + Text.time(instance.lastUpdatedAt()), instance.lastUpdatedAt()));
        }
        List<Wait> waits = new ArrayList<>();
        if (instance.status() == RuntimeStatus.SUSPENDED) {
            Instant since = lastOf(ExecutionSuspended.class);
            waits.add(Wait.of("resume", "resume: suspended since " + Text.time(since), since));
        }
        Map<Integer, TaskScheduled> open = openTasks();
        for (TaskScheduled task : open.values()) {
            waits.add(waitFor(task));
        }
        for (QueuedMessage m : work.messages()) {
            if (!(m.event() instanceof TaskCompletion c && open.containsKey(c.taskId()))) {
                waits.add(unprocessed(m));
            }
        }
        if (waits.isEmpty() && instance.status() == RuntimeStatus.RUNNING) {
            Instant since = history.isEmpty() ? instance.lastUpdatedAt()
                    : Instant.ofEpochMilli(history.get(history.size() - 1).timestampMs());
            waits.add(Wait.of("external-event", "an external event (no activity, timer or sub-orchestration is open,"
                    + " no message queued); last turn at " + Text.time(since), since));
        }
        return List.copyOf(waits);
    }

    /** Tasks scheduled in this execution and not answered, in schedule order. */
    private Map<Integer, TaskScheduled> openTasks() {
        Map<Integer, TaskScheduled> open = new LinkedHashMap<>();
        for (HistoryEvent e : history) {
            if (e instanceof TaskScheduled s) {
                open.put(s.taskId(), s);
            } else if (e instanceof TaskCompletion c) {
                open.remove(c.taskId());
            }
        }
        return open;
    }

    private Wait waitFor(TaskScheduled task) {
        Instant since = Instant.ofEpochMilli(task.timestampMs());
        Optional<QueuedMessage> answer = work.messages().stream()
                .filter(m -> m.event() instanceof TaskCompletion c && c.taskId() == task.taskId()).findFirst();
        if (task instanceof TimerCreated t) {
            Instant fireAt = Instant.ofEpochMilli(t.fireAtMs());
            String when = fireAt.isAfter(now) ? "fires at " + Text.time(fireAt) + " (in "
                    + Text.duration(fireAt.toEpochMilli() - now.toEpochMilli()) + ")"
                    : "fired at " + Text.time(fireAt) + ", waiting for the instance's next turn";
            return new Wait("timer", "timer #" + t.taskId() + " " + when, since, fireAt, t.taskId(), null, null, null,
                    null, null);
        }
        if (answer.isPresent()) {
            return new Wait("activity-result", "the result of task #" + task.taskId() + ", queued at "
                    + Text.time(answer.get().visibleAt()) + ", to be read at the instance's next turn", since, null,
                    task.taskId(), null, null, null, null, null);
        }
        if (task instanceof SubOrchestrationScheduled s) {
            Optional<InstanceStatus> child = provider.getInstance(s.instanceId());
            String status = child.map(c -> c.status().name()).orElse("not created yet");
            return new Wait("sub-orchestration", "sub-orchestration " + s.name() + " instance " + s.instanceId() + " ("
                    + status + ")", since, null, s.taskId(), s.name(), null, null, s.instanceId(), status);
        }
        ActivityScheduled a = (ActivityScheduled) task;
        return activity(a, since, work.activities().stream()
                .filter(q -> q.item().taskId() == a.taskId() && q.item().executionId() == instance.executionId())
                .findFirst());
    }

    private Wait activity(ActivityScheduled a, Instant since, Optional<QueuedActivity> queued) {
        String what = "activity " + a.name() + " #" + a.taskId() + " attempt " + (a.attempt() + 1) + "/" + a.maxAttempts();
        if (queued.isEmpty()) {
            return new Wait("activity-queued", what + ": no work item in the store (cancelled, or being stored)",
                    since, null, a.taskId(), a.name(), null, null, null, null);
        }
        QueuedActivity q = queued.get();
        if (q.lockedUntil() != null) {
            return new Wait("activity-running", what + ": held by a worker until " + Text.time(q.lockedUntil())
                    + " (delivery " + q.deliveryCount() + "), scheduled " + Text.time(since), since, q.lockedUntil(),
                    a.taskId(), a.name(), null, q.deliveryCount(), null, null);
        }
        if (q.visibleAt().isAfter(now)) {
            return new Wait("activity-queued", what + ": queued, held back until " + Text.time(q.visibleAt())
                    + " (delivery " + q.deliveryCount() + " was given back)", since, q.visibleAt(), a.taskId(), a.name(),
                    null, q.deliveryCount(), null, null);
        }
        return new Wait("activity-queued", what + ": queued since " + Text.time(since) + " behind " + q.readyAhead()
                + " ready work item(s)", since, null, a.taskId(), a.name(), q.readyAhead(), q.deliveryCount(), null, null);
    }

    /** A message that answers no open task: an event, a control message or the start, not yet processed. */
    private Wait unprocessed(QueuedMessage m) {
        String what = m.event() instanceof EventRaised r ? "event '" + r.name() + "'"
                : m.event() instanceof ExecutionStarted ? "its start" : m.event().getClass().getSimpleName();
        if (instance.status() == RuntimeStatus.PENDING && m.event() instanceof ExecutionStarted) {
            return Wait.of("first-turn", "its first turn: no runtime has run it since it was created at "
                    + Text.time(m.visibleAt()), m.visibleAt());
        }
        return Wait.of("message", what + " arrived at " + Text.time(m.visibleAt()) + ", not yet processed",
                m.visibleAt());
    }

    private Instant lastOf(Class<? extends HistoryEvent> type) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (type.isInstance(history.get(i))) {
                return Instant.ofEpochMilli(history.get(i).timestampMs());
            }
        }
        return instance.lastUpdatedAt();
    }
}
