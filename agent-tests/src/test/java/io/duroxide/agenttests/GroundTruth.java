package io.duroxide.agenttests;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.ExecutionRecord;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the database says happened, computed independently of the agent from the engine's own store:
 * instances, executions (durable turn counts) and histories. Expected label values are derived here
 * with the telemetry spec's vocabulary, so a wrong mapping in the agent shows up as a mismatch.
 */
public final class GroundTruth {
    /** label tuple (joined with '|') -> count, per metric. */
    final Map<String, Map<String, Double>> counts = new TreeMap<>();
    final Map<String, Double> historySizeSum = new TreeMap<>();
    public final Map<String, Double> active = new TreeMap<>();
    /** orchestration name -> end-to-end seconds of each ended execution (durable start to terminal event). */
    public final Map<String, List<Double>> durationSeconds = new TreeMap<>();
    /** ready, unlocked items left in the store's queues. */
    public QueueDepths queueDepths;
    int clientCreatedInstances;

    public static GroundTruth read(Path db) {
        GroundTruth t = new GroundTruth();
        try (SqliteProvider store = SqliteProvider.open(db)) {
            List<InstanceStatus> all = new ArrayList<>();
            String after = null;
            while (true) {
                List<InstanceStatus> page = store.listInstances(new InstanceQuery(null, null, after, 1000));
                all.addAll(page);
                if (page.size() < 1000) {
                    break;
                }
                after = page.get(page.size() - 1).instanceId();
            }
            Map<String, InstanceStatus> byId = new HashMap<>();
            for (InstanceStatus s : all) {
                byId.put(s.instanceId(), s);
            }
            for (InstanceStatus s : all) {
                t.instance(store, s, byId);
            }
            t.queueDepths = store.queueDepths();
            for (ActiveInstanceCount c : store.countActiveInstances()) {
                t.active.merge(c.orchestrationName() + "|" + c.state(), (double) c.count(), Double::sum);
            }
        }
        return t;
    }

    private void inc(String metric, String... labels) {
        counts.computeIfAbsent(metric, k -> new TreeMap<>()).merge(String.join("|", labels), 1.0, Double::sum);
    }

    public Map<String, Double> of(String metric) {
        return counts.getOrDefault(metric, Map.of());
    }

    private void instance(SqliteProvider store, InstanceStatus s, Map<String, InstanceStatus> byId) {
        if (s.parentInstanceId() == null) {
            clientCreatedInstances++;
        }
        for (long exec = 1; exec <= s.executionId(); exec++) {
            List<HistoryEvent> history = store.readHistory(s.instanceId(), exec);
            ExecutionRecord record = store.getExecution(s.instanceId(), exec).orElseThrow();
            String version = s.version() == null ? "none" : s.version();
            for (HistoryEvent e : history) {
                if (e instanceof HistoryEvent.ExecutionStarted started) {
                    inc("starts", s.name(), version, initiatedBy(started.initiatedBy().name()));
                }
            }
            HistoryEvent last = history.isEmpty() ? null : history.get(history.size() - 1);
            boolean ended = last instanceof HistoryEvent.Terminal;
            if (ended) {
                inc("history_count", s.name());
                historySizeSum.merge(s.name(), (double) history.size(), Double::sum);
            }
            if (last instanceof HistoryEvent.ExecutionContinuedAsNew) {
                inc("can", s.name(), executionBucket(exec));
            } else if (ended) {
                String status = last instanceof HistoryEvent.ExecutionCompleted ? "success"
                        : last instanceof HistoryEvent.ExecutionFailed ? "failed" : "cancelled";
                inc("completions", s.name(), version, status, turnBucket(record.turnCount()));
                inc("duration_count", s.name(), version, status);
                durationSeconds.computeIfAbsent(s.name(), k -> new ArrayList<>())
                        .add((last.timestampMs() - record.startedAt().toEpochMilli()) / 1000.0);
                if (last instanceof HistoryEvent.ExecutionFailed failed) {
                    inc("failures", s.name(), version, orchestrationErrorType(failed.failure()));
                    inc("failure_kinds", s.name(), failed.failure().kind().name());
                }
                if (s.parentInstanceId() != null) {
                    InstanceStatus parent = byId.get(s.parentInstanceId());
                    inc("subcalls", parent == null ? "none" : parent.name(), s.name(), status);
                }
            }
            activities(history);
        }
    }

    private void activities(List<HistoryEvent> history) {
        Map<Integer, HistoryEvent.ActivityScheduled> scheduled = new HashMap<>();
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ActivityScheduled a) {
                scheduled.put(a.taskId(), a);
            }
        }
        // The engine enforces a per-attempt timeout with a timer raced against the activity: when the timer
        // wins, history has TimerFired and no activity completion, while the worker's attempt ended as a timeout.
        Map<Integer, HistoryEvent.TimerCreated> timers = new HashMap<>();
        java.util.Set<Integer> fired = new java.util.HashSet<>();
        java.util.Set<Integer> completed = new java.util.HashSet<>();
        FailureDetails executionFailure = null;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.TimerCreated tc) {
                timers.put(tc.taskId(), tc);
            } else if (e instanceof HistoryEvent.TimerFired tf) {
                fired.add(tf.taskId());
            } else if (e instanceof HistoryEvent.ActivityCompleted c) {
                completed.add(c.taskId());
            } else if (e instanceof HistoryEvent.ActivityFailed f) {
                completed.add(f.taskId());
            } else if (e instanceof HistoryEvent.ExecutionFailed ef) {
                executionFailure = ef.failure();
            }
        }
        for (HistoryEvent.ActivityScheduled a : scheduled.values()) {
            HistoryEvent.TimerCreated timer = timers.get(a.taskId() + 1);
            if (!completed.contains(a.taskId()) && a.timeoutMs() > 0 && timer != null
                    && timer.fireAtMs() - timer.timestampMs() == a.timeoutMs() && fired.contains(timer.taskId())) {
                inc("executions", a.name(), "timeout", attempt(a.attempt()));
                boolean retryable = executionFailure == null || executionFailure.retryable();
                inc("activity_errors", a.name(), "timeout", "none", String.valueOf(retryable));
            }
        }
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ActivityCompleted c) {
                HistoryEvent.ActivityScheduled a = scheduled.get(c.taskId());
                inc("executions", a.name(), "success", attempt(a.attempt()));
            } else if (e instanceof HistoryEvent.ActivityFailed f) {
                HistoryEvent.ActivityScheduled a = scheduled.get(f.taskId());
                boolean retried = false;
                for (HistoryEvent.ActivityScheduled later : scheduled.values()) {
                    if (later.name().equals(a.name()) && later.attempt() == a.attempt() + 1 && later.taskId() > a.taskId()) {
                        retried = true;
                    }
                }
                FailureDetails d = f.failure();
                String outcome = retried ? "retry" : switch (d.kind()) {
                    case APPLICATION -> "app_error";
                    case TIMEOUT -> "timeout";
                    case CANCELLED -> "cancelled";
                    default -> "infra_error";
                };
                inc("executions", a.name(), outcome, attempt(a.attempt()));
                if (d.kind() != io.duroxide.history.FailureKind.CANCELLED) {
                    String errorType = switch (d.kind()) {
                        case APPLICATION -> "app_error";
                        case TIMEOUT -> "timeout";
                        case CONFIGURATION -> "config_error";
                        default -> "infrastructure_error";
                    };
                    inc("activity_errors", a.name(), errorType, d.errorCode() == null ? "none" : d.errorCode(),
                            String.valueOf(d.retryable()));
                }
            }
        }
    }

    static String initiatedBy(String engine) {
        return switch (engine) {
            case "CLIENT" -> "client";
            case "SUB_ORCHESTRATION" -> "suborchestration";
            case "CONTINUE_AS_NEW" -> "continueAsNew";
            case "SIGNAL" -> "signal";
            default -> engine;
        };
    }

    static String turnBucket(int turns) {
        return turns <= 5 ? "1-5" : turns <= 10 ? "6-10" : turns <= 50 ? "11-50" : "50+";
    }

    static String executionBucket(long id) {
        return id <= 1 ? "1" : id <= 10 ? "2-10" : id <= 100 ? "11-100" : id <= 1000 ? "101-1000" : "1000+";
    }

    static String attempt(int a) {
        return a >= 3 ? "3+" : Integer.toString(a);
    }

    static String orchestrationErrorType(FailureDetails f) {
        return switch (f.kind()) {
            case APPLICATION, CANCELLED -> "app_error";
            case TIMEOUT -> "timeout";
            case NONDETERMINISM -> "nondeterminism";
            case CONFIGURATION -> "config_error";
            default -> "infrastructure_error";
        };
    }

    /** True when every instance is terminal or suspended (nothing left for the runtime to do). */
    static boolean settled(Path db) {
        try (SqliteProvider store = SqliteProvider.open(db)) {
            for (InstanceStatus s : store.listInstances(InstanceQuery.all())) {
                if (!s.status().isTerminal() && s.status() != RuntimeStatus.SUSPENDED) {
                    return false;
                }
            }
            return true;
        }
    }
}
