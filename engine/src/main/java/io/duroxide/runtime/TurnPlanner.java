package io.duroxide.runtime;

import io.duroxide.api.JsonConverter;
import io.duroxide.api.Orchestration;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.ApiFailures;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.HistoryEvent.*;
import io.duroxide.history.ParentRef;
import io.duroxide.observe.TurnCommit;
import io.duroxide.observe.TurnOutcome;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.TurnWrite;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides what one turn does with a fetched instance: turn its messages into history events, run
 * the orchestration over the history when it may run, and express the outcome as a {@link TurnWrite}.
 * Pure decision logic: it reads nothing from and writes nothing to storage.
 */
final class TurnPlanner {
    private static final System.Logger LOG = System.getLogger(TurnPlanner.class.getName());

    /** The planner's decision for one fetched item. */
    sealed interface Plan {}

    /** Commit this turn; {@code observed} is false for turns that only drain messages of an ended instance. */
    record Commit(TurnCommit turn, boolean observed) implements Plan {}

    /** Release the lock and let the messages come back after the delay (their delivery count grows). */
    record Abandon(Duration delay, String reason) implements Plan {}

    /** Where a turn stops running activities here ({@link LocalSteps}): its commit stays of a bounded size. */
    static final int MAX_EVENTS_PER_TURN = 200;

    private final Registry registry;
    private final RuntimeOptions options;
    private final JsonConverter json;

    TurnPlanner(Registry registry, RuntimeOptions options, JsonConverter json) {
        this.registry = registry;
        this.options = options;
        this.json = json;
    }

    /** Whether this runtime's registry has the orchestration a start names (by name and version, or the latest). */
    boolean runs(HistoryEvent.ExecutionStarted start) {
        return registry.orchestration(start.name(), start.version()).isPresent();
    }

    /**
     * @param localSteps runs here, within this turn, activities the turn schedules (see {@link LocalSteps});
     *     their completions are accepted into the same turn and the orchestration runs again, until it schedules
     *     something else, ends, or the activities must go through the queue
     */
    Plan plan(OrchestrationWorkItem item, long clockMs, LocalSteps localSteps) {
        long startedNanos = System.nanoTime();
        List<HistoryEvent> history = item.history();
        long now = history.isEmpty() ? clockMs : Math.max(clockMs, history.get(history.size() - 1).timestampMs());
        if (item.instance().status().isTerminal()) {
            return drain(item, now);
        }
        if (item.historyError() != null) {
            return poisonOrAbandon(item, now, null, FailureKind.POISON,
                    "history cannot be read (" + item.historyError() + ")", Duration.ofSeconds(1));
        }
        Turn turn = new Turn(item, now);
        for (OrchestratorMessage message : item.messages()) {
            turn.accept(message);
        }
        if (turn.start == null) {
            LOG.log(System.Logger.Level.WARNING, "instance " + item.instanceId() + " has messages but was never started; dropping them");
            return drain(item, now);
        }
        String version = turn.start.version();
        var registered = registry.orchestration(turn.start.name(), version);
        if (turn.startsExecution) {
            if (registered.isEmpty()) {
                return poisonOrAbandon(item, now, turn, FailureKind.CONFIGURATION, notRegistered(turn.start.name(), version),
                        options.unregisteredDelay(item.attemptCount()));
            }
            version = registered.get().version();
            turn.pinVersion(version);
        }
        if (item.attemptCount() > options.maxDeliveryAttempts()) {
            return turn.finish(TurnOutcome.FAILED, null, poison(item, "the orchestration's turn kept failing"));
        }
        if (turn.cancelReason != null) {
            return turn.finish(TurnOutcome.CANCELLED, null, new FailureDetails(FailureKind.CANCELLED, "io.duroxide.Cancelled",
                    List.of("io.duroxide.Cancelled"), turn.cancelReason, null, false));
        }
        if (turn.suspended) {
            return turn.finish(TurnOutcome.SUSPENDED, null, null);
        }
        if (registered.isEmpty()) {
            return poisonOrAbandon(item, now, turn, FailureKind.CONFIGURATION, notRegistered(turn.start.name(), version),
                    options.unregisteredDelay(item.attemptCount()));
        }
        ReplayResult result;
        int replayed = history.size();
        while (true) {
            List<HistoryEvent> events = turn.allEvents();
            result = ReplayEngine.run((Orchestration<?, ?>) registered.get().function(), registered.get().inputType(),
                    item.instanceId(), version, turn.executionId, events, replayed, now, json);
            if (result.customStatusSet() && !Objects.equals(result.customStatusJson(), item.instance().customStatus())) {
                turn.customStatusChanged = true;
                turn.customStatus = result.customStatusJson();
            }
            if (result.kind() != ReplayResult.Kind.CONTINUES) {
                break;
            }
            turn.schedule(result.newActions());
            replayed = events.size() + result.newActions().size();
            if (!turn.runHere(localSteps, startedNanos)) {
                break;
            }
        }
        return switch (result.kind()) {
            case CONTINUES -> turn.finish(TurnOutcome.CONTINUES, null, null);
            case COMPLETED -> turn.finish(TurnOutcome.COMPLETED, result.output(), null);
            case FAILED -> turn.finish(TurnOutcome.FAILED, null, result.failure());
            case CONTINUED_AS_NEW -> turn.continueAsNew(result.continueAsNewInput());
            case CRASHED -> {
                LOG.log(System.Logger.Level.ERROR, "orchestration '" + turn.start.name() + "' (instance " + item.instanceId()
                        + ") threw " + result.crash() + "; the turn will be retried", result.crash());
                yield poisonOrAbandon(item, now, turn, FailureKind.POISON, "the orchestration threw " + result.crash(), Duration.ofSeconds(1));
            }
        };
    }

    private String notRegistered(String name, String version) {
        return "orchestration '" + name + "'" + (version == null ? "" : " version " + version)
                + " is not registered in this runtime (registered: " + registry.orchestrationVersions() + ")";
    }

    private FailureDetails poison(OrchestrationWorkItem item, String why) {
        return new FailureDetails(FailureKind.POISON, "io.duroxide.PoisonMessage", List.of("io.duroxide.PoisonMessage"),
                "instance " + item.instanceId() + " was delivered " + item.attemptCount() + " times (max "
                        + options.maxDeliveryAttempts() + "): " + why, null, false);
    }

    /** Work that cannot run now is retried later; past the delivery limit the instance fails with a clear reason. */
    private Plan poisonOrAbandon(OrchestrationWorkItem item, long now, Turn turn, FailureKind kind, String reason, Duration delay) {
        if (item.attemptCount() < options.maxDeliveryAttempts()) {
            return new Abandon(delay, reason);
        }
        Turn t = turn != null ? turn : new Turn(item, now);
        if (turn == null) {
            item.messages().forEach(t::accept);
        }
        if (t.start == null) {
            return drain(item, now);
        }
        FailureDetails failure = new FailureDetails(kind, kind == FailureKind.CONFIGURATION ? "io.duroxide.NotRegistered" : "io.duroxide.PoisonMessage",
                List.of(kind == FailureKind.CONFIGURATION ? "io.duroxide.NotRegistered" : "io.duroxide.PoisonMessage"),
                reason + "; gave up after " + item.attemptCount() + " deliveries", null, false);
        return t.finish(TurnOutcome.FAILED, null, failure);
    }

    /** Consumes messages for an instance that has ended; nothing about the instance changes. */
    private Plan drain(OrchestrationWorkItem item, long now) {
        var inst = item.instance();
        TurnWrite write = new TurnWrite(item.execution().executionId(), List.of(), inst.status(), null, null,
                inst.output(), ApiFailures.fromApi(inst.failure()), false, null, List.of(), List.of(), null, false);
        return new Commit(new TurnCommit(item.instanceId(), inst.name(), inst.version(), item.execution().executionId(),
                item.execution().initiatedBy(), false, TurnOutcome.CONTINUES, null, item.execution().turnCount(),
                item.history().size(), item.execution().startedAt(), Instant.ofEpochMilli(now), null, write, item.lockToken()), false);
    }

    /** The state of one turn under construction. */
    private final class Turn {
        final OrchestrationWorkItem item;
        final long now;
        final long executionId;
        final List<HistoryEvent> delta = new ArrayList<>();
        final Set<Integer> scheduled = new HashSet<>();
        final Set<Integer> completed = new HashSet<>();
        final Map<Integer, String> openChildren = new LinkedHashMap<>();
        final List<ActivityWorkItem> activities = new ArrayList<>();
        final List<TimedMessage> messages = new ArrayList<>();
        final boolean startsExecution;
        ExecutionStarted start;
        String cancelReason;
        boolean suspended;
        boolean customStatusChanged;
        String customStatus;

        Turn(OrchestrationWorkItem item, long now) {
            this.item = item;
            this.now = now;
            this.executionId = item.execution().executionId();
            this.startsExecution = item.history().isEmpty();
            this.suspended = item.instance().status() == RuntimeStatus.SUSPENDED;
            for (HistoryEvent e : item.history()) {
                index(e);
            }
            if (!startsExecution && item.history().get(0) instanceof ExecutionStarted s) {
                start = s;
            }
        }

        private void index(HistoryEvent e) {
            if (e instanceof TaskScheduled s) {
                scheduled.add(s.taskId());
                if (s instanceof SubOrchestrationScheduled sub) {
                    openChildren.put(sub.taskId(), sub.instanceId());
                }
            } else if (e instanceof TaskCompletion c) {
                completed.add(c.taskId());
                openChildren.remove(c.taskId());
            }
        }

        void accept(OrchestratorMessage message) {
            HistoryEvent e = message.event();
            if (message.executionId() != null && message.executionId() != executionId) {
                return; // meant for an execution that continued as new or a stale duplicate
            }
            if (e instanceof ExecutionStarted s) {
                if (start == null) {
                    start = (ExecutionStarted) RestampedEvents.stamped(s, now);
                    delta.add(0, start);
                } else if (s.parent() != null && !Objects.equals(s.parent(), start.parent())) {
                    rejectDuplicateChild(s);
                }
                return;
            }
            if (e instanceof TaskCompletion c && (!scheduled.contains(c.taskId()) || completed.contains(c.taskId()))) {
                return; // a redelivered or late result of a task that is already settled
            }
            HistoryEvent stamped = RestampedEvents.stamped(e, now);
            delta.add(stamped);
            index(stamped);
            if (e instanceof ExecutionCancelRequested cancel && cancelReason == null) {
                cancelReason = cancel.reason();
            } else if (e instanceof ExecutionSuspended) {
                suspended = true;
            } else if (e instanceof ExecutionResumed) {
                suspended = false;
            }
        }

        private void rejectDuplicateChild(ExecutionStarted s) {
            ParentRef p = s.parent();
            FailureDetails failure = FailureDetails.of(FailureKind.APPLICATION, "io.duroxide.InstanceAlreadyExists",
                    "sub-orchestration instance id '" + item.instanceId() + "' is already used by another instance", false);
            messages.add(TimedMessage.now(new OrchestratorMessage(p.instanceId(), p.executionId(),
                    new SubOrchestrationFailed(now, p.taskId(), failure))));
        }

        void pinVersion(String version) {
            if (!Objects.equals(version, start.version())) {
                start = new ExecutionStarted(start.timestampMs(), start.name(), version, start.input(), start.initiatedBy(), start.parent());
                delta.set(0, start);
            }
        }

        List<HistoryEvent> allEvents() {
            List<HistoryEvent> all = new ArrayList<>(item.history().size() + delta.size());
            all.addAll(item.history());
            all.addAll(delta);
            return all;
        }

        void schedule(List<TaskScheduled> actions) {
            for (TaskScheduled action : actions) {
                delta.add(action);
                index(action);
                if (action instanceof ActivityScheduled a) {
                    activities.add(new ActivityWorkItem(item.instanceId(), executionId, a.taskId(), start.name(), a.name(),
                            a.input(), a.tag(), a.attempt(), a.maxAttempts(), a.timeoutMs()));
                } else if (action instanceof TimerCreated t) {
                    messages.add(new TimedMessage(new OrchestratorMessage(item.instanceId(), executionId,
                            new TimerFired(t.fireAtMs(), t.taskId(), t.fireAtMs())), Instant.ofEpochMilli(t.fireAtMs())));
                } else if (action instanceof SubOrchestrationScheduled s) {
                    ParentRef parent = new ParentRef(item.instanceId(), executionId, s.taskId(), start.name());
                    messages.add(TimedMessage.now(new OrchestratorMessage(s.instanceId(), 1L, new ExecutionStarted(
                            now, s.name(), s.version(), s.input(), io.duroxide.history.InitiatedBy.SUB_ORCHESTRATION, parent))));
                }
            }
        }

        /**
         * Runs the scheduled activities here if the turn sends nothing else; accepts the completions of those
         * that ran. True when all of them ran, so the orchestration should run again within this turn.
         */
        boolean runHere(LocalSteps localSteps, long startedNanos) {
            if (activities.isEmpty() || !messages.isEmpty() || delta.size() >= MAX_EVENTS_PER_TURN) {
                return false;
            }
            List<HistoryEvent> completions = localSteps.run(List.copyOf(activities), startedNanos);
            for (HistoryEvent completion : completions) {
                int taskId = ((TaskCompletion) completion).taskId();
                activities.removeIf(a -> a.taskId() == taskId);
                accept(new OrchestratorMessage(item.instanceId(), executionId, completion));
            }
            return !completions.isEmpty() && activities.isEmpty();
        }

        Plan continueAsNew(String input) {
            long next = executionId + 1;
            messages.add(TimedMessage.now(new OrchestratorMessage(item.instanceId(), next, new ExecutionStarted(
                    now, start.name(), null, input, io.duroxide.history.InitiatedBy.CONTINUE_AS_NEW, start.parent()))));
            delta.add(new ExecutionContinuedAsNew(now, input));
            return commit(TurnOutcome.CONTINUED_AS_NEW, RuntimeStatus.RUNNING, null, null, next);
        }

        Plan finish(TurnOutcome outcome, String output, FailureDetails failure) {
            RuntimeStatus status = switch (outcome) {
                case CONTINUES -> RuntimeStatus.RUNNING;
                case SUSPENDED -> RuntimeStatus.SUSPENDED;
                case COMPLETED -> RuntimeStatus.COMPLETED;
                case FAILED -> RuntimeStatus.FAILED;
                case CANCELLED -> RuntimeStatus.CANCELLED;
                case CONTINUED_AS_NEW -> throw new IllegalArgumentException("use continueAsNew");
            };
            if (outcome == TurnOutcome.COMPLETED) {
                delta.add(new ExecutionCompleted(now, output));
            } else if (outcome == TurnOutcome.FAILED) {
                delta.add(new ExecutionFailed(now, failure));
            } else if (outcome == TurnOutcome.CANCELLED) {
                delta.add(new ExecutionCancelled(now, failure.message()));
                for (String child : openChildren.values()) {
                    messages.add(TimedMessage.now(new OrchestratorMessage(child, null,
                            new ExecutionCancelRequested(now, "parent " + item.instanceId() + " cancelled: " + failure.message()))));
                }
            }
            if (outcome.endsExecution() && start.parent() != null) {
                ParentRef p = start.parent();
                HistoryEvent answer = outcome == TurnOutcome.COMPLETED
                        ? new SubOrchestrationCompleted(now, p.taskId(), output)
                        : new SubOrchestrationFailed(now, p.taskId(), failure);
                messages.add(TimedMessage.now(new OrchestratorMessage(p.instanceId(), p.executionId(), answer)));
            }
            return commit(outcome, status, output, failure, null);
        }

        private Plan commit(TurnOutcome outcome, RuntimeStatus status, String output, FailureDetails failure, Long nextExecution) {
            boolean terminal = outcome.endsExecution();
            TurnWrite write = new TurnWrite(executionId, delta, status, start.name(), start.version(), output, failure,
                    customStatusChanged, customStatus, activities, messages, nextExecution, terminal);
            int historySize = item.history().size() + delta.size();
            TurnCommit commit = new TurnCommit(item.instanceId(), start.name(), start.version(), executionId, start.initiatedBy(),
                    startsExecution, outcome, failure, item.execution().turnCount() + 1, historySize,
                    item.execution().startedAt(), Instant.ofEpochMilli(now), start.parent(), write, item.lockToken());
            return new Commit(commit, true);
        }
    }
}
