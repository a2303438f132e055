package io.duroxide.cli;

import io.duroxide.cli.InstanceView.FailureView;
import io.duroxide.cli.Timeline.Attempt;
import io.duroxide.cli.Timeline.Entry;
import io.duroxide.history.ApiFailures;
import io.duroxide.history.AttemptRun;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.*;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns history events into timeline entries. A turn stamps every event it appends with its start time, so
 * a new time starts a new turn; results are matched to their schedule by task id.
 */
final class TimelineEntries {
    private static final int PAYLOAD_WIDTH = 60;

    private final Map<Integer, TaskScheduled> scheduled = new HashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private long turnTime = Long.MIN_VALUE;
    private int turn;

    static List<Entry> of(List<HistoryEvent> history) {
        TimelineEntries builder = new TimelineEntries();
        history.forEach(builder::add);
        return List.copyOf(builder.entries);
    }

    private void add(HistoryEvent e) {
        if (e.timestampMs() != turnTime) {
            turnTime = e.timestampMs();
            turn++;
        }
        if (e instanceof TaskScheduled s) {
            scheduled.put(s.taskId(), s);
        }
        entries.add(entry(e));
    }

    private Entry entry(HistoryEvent e) {
        if (e instanceof ExecutionStarted x) {
            return plain(e, x.name(), x.name() + " " + x.version() + " started (" + x.initiatedBy()
                    + (x.parent() == null ? "" : " by " + x.parent().instanceId()) + "), input " + payload(x.input()));
        } else if (e instanceof ExecutionCompleted x) {
            return plain(e, null, "completed, output " + payload(x.output()));
        } else if (e instanceof ExecutionFailed x) {
            return failed(e, null, null, "failed", x.failure(), null);
        } else if (e instanceof ExecutionContinuedAsNew x) {
            return plain(e, null, "continued as new, input " + payload(x.input()));
        } else if (e instanceof ExecutionCancelRequested x) {
            return plain(e, null, "cancel requested: " + x.reason());
        } else if (e instanceof ExecutionCancelled x) {
            return plain(e, null, "cancelled: " + x.reason());
        } else if (e instanceof ExecutionSuspended x) {
            return plain(e, null, "suspended" + reason(x.reason()));
        } else if (e instanceof ExecutionResumed x) {
            return plain(e, null, "resumed" + reason(x.reason()));
        } else if (e instanceof ActivityScheduled x) {
            return new Entry(at(e), turn, type(e), x.taskId(), x.name(), "activity " + x.name() + " attempt "
                    + (x.attempt() + 1) + "/" + x.maxAttempts() + " scheduled"
                    + (x.timeoutMs() > 0 ? " (timeout " + Text.duration(x.timeoutMs()) + ")" : "") + ", input "
                    + payload(x.input()), attempt(x, null), null, null, null);
        } else if (e instanceof ActivityCompleted x) {
            Attempt attempt = attemptOf(x.taskId(), x.run());
            return new Entry(at(e), turn, type(e), x.taskId(), activityName(x.taskId()), "activity "
                    + activityName(x.taskId()) + ran(attempt) + " completed, result " + payload(x.result()), attempt,
                    null, null, null);
        } else if (e instanceof ActivityFailed x) {
            Attempt attempt = attemptOf(x.taskId(), x.run());
            return failed(e, x.taskId(), activityName(x.taskId()), "activity " + activityName(x.taskId()) + ran(attempt)
                    + " failed", x.failure(), attempt);
        } else if (e instanceof TimerCreated x) {
            return new Entry(at(e), turn, type(e), x.taskId(), null, "timer created, fires at " + Text.time(x.fireAtMs())
                    + " (in " + Text.duration(x.fireAtMs() - x.timestampMs()) + ")", null, null,
                    Instant.ofEpochMilli(x.fireAtMs()), null);
        } else if (e instanceof TimerFired x) {
            return new Entry(at(e), turn, type(e), x.taskId(), null, "timer fired (due " + Text.time(x.fireAtMs()) + ")",
                    null, null, Instant.ofEpochMilli(x.fireAtMs()), null);
        } else if (e instanceof SubOrchestrationScheduled x) {
            return new Entry(at(e), turn, type(e), x.taskId(), x.name(), "sub-orchestration " + x.name() + " "
                    + x.version() + " started as " + x.instanceId() + ", input " + payload(x.input()), null, null, null,
                    x.instanceId());
        } else if (e instanceof SubOrchestrationCompleted x) {
            SubOrchestrationScheduled s = (SubOrchestrationScheduled) scheduled.get(x.taskId());
            return new Entry(at(e), turn, type(e), x.taskId(), s == null ? null : s.name(), "sub-orchestration "
                    + (s == null ? "" : s.instanceId() + " ") + "completed, result " + payload(x.result()), null, null,
                    null, s == null ? null : s.instanceId());
        } else if (e instanceof SubOrchestrationFailed x) {
            SubOrchestrationScheduled s = (SubOrchestrationScheduled) scheduled.get(x.taskId());
            return failed(e, x.taskId(), s == null ? null : s.name(), "sub-orchestration "
                    + (s == null ? "" : s.instanceId() + " ") + "failed", x.failure(), null);
        } else if (e instanceof EventRaised x) {
            return plain(e, x.name(), "event '" + x.name() + "' raised, data " + payload(x.data()));
        }
        return plain(e, null, e.toString());
    }

    private Entry plain(HistoryEvent e, String name, String detail) {
        return new Entry(at(e), turn, type(e), null, name, detail, null, null, null, null);
    }

    private Entry failed(HistoryEvent e, Integer taskId, String name, String what, FailureDetails failure, Attempt attempt) {
        return new Entry(at(e), turn, type(e), taskId, name, what + ": " + failure.summary(), attempt,
                FailureView.of(ApiFailures.toApi(failure)), null, null);
    }

    private String activityName(int taskId) {
        return scheduled.get(taskId) instanceof ActivityScheduled s ? s.name() : "#" + taskId;
    }

    /** The attempt a result answers, with how it ran when the history records it. */
    private Attempt attemptOf(int taskId, AttemptRun run) {
        return scheduled.get(taskId) instanceof ActivityScheduled s ? attempt(s, run) : null;
    }

    private static Attempt attempt(ActivityScheduled s, AttemptRun run) {
        Instant scheduledAt = Instant.ofEpochMilli(s.timestampMs());
        if (run == null) {
            return new Attempt(s.attempt() + 1, s.maxAttempts(), scheduledAt, null, null, null, null, null);
        }
        return new Attempt(s.attempt() + 1, s.maxAttempts(), scheduledAt, Instant.ofEpochMilli(run.startedAtMs()),
                Instant.ofEpochMilli(run.finishedAtMs()), Math.max(0, run.startedAtMs() - s.timestampMs()),
                run.durationMs(), run.deliveryCount());
    }

    /** {@code  attempt 2/3 (queued 12 ms, started ..., ran 45 ms, delivery 2)}. */
    private static String ran(Attempt a) {
        if (a == null) {
            return "";
        }
        String attempt = " attempt " + a.attempt() + "/" + a.maxAttempts();
        if (a.startedAt() == null) {
            return attempt + " (start not recorded)";
        }
        return attempt + " (queued " + Text.duration(a.queuedMs()) + ", started " + Text.time(a.startedAt()) + ", ran "
                + Text.duration(a.ranMs()) + (a.deliveryCount() > 1 ? ", delivery " + a.deliveryCount() : "") + ")";
    }

    private static String reason(String reason) {
        return reason == null ? "" : ": " + reason;
    }

    private static String payload(String json) {
        return Text.truncate(json, PAYLOAD_WIDTH);
    }

    private static Instant at(HistoryEvent e) {
        return Instant.ofEpochMilli(e.timestampMs());
    }

    private static String type(HistoryEvent e) {
        return e.getClass().getSimpleName();
    }
}
