package io.duroxide.agent.metrics;

import io.duroxide.agent.bootstrap.OrchestrationSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records the orchestration-lifecycle metrics from committed turns. Called only after the engine's
 * {@code commitTurn} returned normally, i.e. once per durable lifecycle change: starts on the turn that
 * creates the execution, completions/failures/durations/history sizes on the turn that ends it. Durations and
 * failures keep the instance and execution of the turn as exemplars.
 */
public final class OrchestrationRecorder implements OrchestrationSink {
    static final String STARTS = "duroxide.orchestration.starts";
    static final String COMPLETIONS = "duroxide.orchestration.completions";
    static final String DURATION = "duroxide.orchestration.duration";
    static final String FAILURES = "duroxide.orchestration.failures";
    static final String HISTORY = "duroxide.orchestration.history.size";
    static final String CAN = "duroxide.orchestration.continue_as_new";
    static final String SUB_CALLS = "duroxide.suborchestration.calls";
    static final String SUB_DURATION = "duroxide.suborchestration.duration";

    private final Metrics metrics;
    private final LabelLimiter names;
    private final LabelLimiter versions;
    private final LabelLimiter errorMessages;
    private final boolean withMessages;
    private final ActiveInstancesPoller activeInstances;

    private final ConcurrentHashMap<Key, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, CounterWithExemplar> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, TimerWithExemplars> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DistributionSummary> histories = new ConcurrentHashMap<>();

    /** A label tuple; a turn commit is a database transaction, so one small key object per lookup is fine. */
    private record Key(String metric, String a, String b, String c, String d, String e) {}

    public OrchestrationRecorder(Metrics metrics, ActiveInstancesPoller activeInstances) {
        this.metrics = metrics;
        this.names = metrics.limiter("orchestration_name");
        this.versions = metrics.limiter("version");
        this.errorMessages = metrics.limiter("error_message");
        this.withMessages = metrics.config.includeErrorMessages;
        this.activeInstances = activeInstances;
    }

    @Override
    public void providerSeen(Object provider) {
        if (activeInstances != null) {
            activeInstances.addProvider(provider);
        }
    }

    @Override
    public void turnCommitted(
            String instanceId,
            String orchestrationName,
            String version,
            long executionId,
            String initiatedBy,
            boolean startsExecution,
            String outcome,
            String failureKind,
            List<String> classChain,
            String errorMessage,
            String errorCode,
            int turnCount,
            int historySize,
            long durationNanos,
            String parentOrchestration) {
        String name = names.apply(orchestrationName);
        String ver = versions.apply(version);
        if (startsExecution) {
            counter(new Key(STARTS, name, ver, SpecLabelValues.initiatedBy(initiatedBy), null, null)).increment();
        }
        if ("CONTINUED_AS_NEW".equals(outcome)) {
            counter(new Key(CAN, name, SpecLabelValues.executionBucket(executionId), null, null, null)).increment();
            history(name).record(Math.max(0, historySize));
            return;
        }
        String status = SpecLabelValues.completionStatus(outcome);
        if (status == null) {
            return;
        }
        counter(new Key(COMPLETIONS, name, ver, status, SpecLabelValues.turnCountBucket(turnCount), null)).increment();
        boolean success = "success".equals(status);
        if (durationNanos >= 0 && (!success || metrics.sampler.sampleSuccess())) {
            timer(new Key(DURATION, name, ver, status, null, null)).record(durationNanos, instanceId, executionId,
                    ExemplarSlots.NO_ATTEMPT);
        }
        history(name).record(Math.max(0, historySize));
        if ("failed".equals(status)) {
            String message = withMessages ? errorMessages.apply(metrics.messages.normalize(errorMessage)) : null;
            failure(new Key(FAILURES, name, ver, SpecLabelValues.orchestrationErrorType(failureKind),
                    ErrorCategories.categorize(failureKind, classChain, errorMessage), message))
                    .increment(instanceId, executionId, ExemplarSlots.NO_ATTEMPT);
        }
        if (parentOrchestration != null) {
            String parent = names.apply(parentOrchestration);
            String subOutcome = success ? "success" : status;
            counter(new Key(SUB_CALLS, parent, name, subOutcome, null, null)).increment();
            if (durationNanos >= 0 && (!success || metrics.sampler.sampleSuccess())) {
                timer(new Key(SUB_DURATION, parent, name, subOutcome, null, null))
                        .record(durationNanos, instanceId, executionId, ExemplarSlots.NO_ATTEMPT);
            }
        }
    }

    private DistributionSummary history(String name) {
        DistributionSummary s = histories.get(name);
        if (s == null) {
            s = histories.computeIfAbsent(name, n -> metrics.summary(HISTORY,
                    "History event count of an execution when it ends (completed, failed, cancelled or continued as new)",
                    metrics.config.historySizeBuckets, "orchestration_name", n));
        }
        return s;
    }

    private Counter counter(Key k) {
        Counter c = counters.get(k);
        if (c == null) {
            c = counters.computeIfAbsent(k, this::newCounter);
        }
        return c;
    }

    private CounterWithExemplar failure(Key k) {
        CounterWithExemplar c = failures.get(k);
        if (c == null) {
            c = failures.computeIfAbsent(k, this::newFailureCounter);
        }
        return c;
    }

    private TimerWithExemplars timer(Key k) {
        TimerWithExemplars t = timers.get(k);
        if (t == null) {
            t = timers.computeIfAbsent(k, this::newTimer);
        }
        return t;
    }

    private Counter newCounter(Key k) {
        switch (k.metric()) {
            case STARTS:
                return metrics.counter(STARTS, "Executions started, counted once on the turn that durably creates them",
                        "orchestration_name", k.a(), "version", k.b(), "initiated_by", k.c());
            case COMPLETIONS:
                return metrics.counter(COMPLETIONS, "Orchestrations that ended: completed, failed or cancelled",
                        "orchestration_name", k.a(), "version", k.b(), "status", k.c(), "final_turn_count", k.d());
            case CAN:
                return metrics.counter(CAN, "Executions that continued as new, by the ending execution's id range",
                        "orchestration_name", k.a(), "execution_id", k.b());
            case SUB_CALLS:
                return metrics.counter(SUB_CALLS, "Sub-orchestrations that ended, by parent, child and outcome",
                        "parent_orchestration", k.a(), "child_orchestration", k.b(), "outcome", k.c());
            default:
                throw new IllegalArgumentException(k.metric());
        }
    }

    private CounterWithExemplar newFailureCounter(Key k) {
        if (withMessages) {
            return metrics.counterWithExemplar(FAILURES, "Orchestration failures by error type and category",
                    "orchestration_name", k.a(), "version", k.b(), "error_type", k.c(),
                    "error_category", k.d(), "error_message", k.e());
        }
        return metrics.counterWithExemplar(FAILURES, "Orchestration failures by error type and category",
                "orchestration_name", k.a(), "version", k.b(), "error_type", k.c(), "error_category", k.d());
    }

    private TimerWithExemplars newTimer(Key k) {
        if (SUB_DURATION.equals(k.metric())) {
            return metrics.timerWithExemplars(SUB_DURATION, "End-to-end duration of sub-orchestrations, from their durable start",
                    metrics.config.orchestrationDurationBuckets,
                    "parent_orchestration", k.a(), "child_orchestration", k.b(), "outcome", k.c());
        }
        return metrics.timerWithExemplars(DURATION, "End-to-end orchestration duration, from the durable start of the execution to its end",
                metrics.config.orchestrationDurationBuckets,
                "orchestration_name", k.a(), "version", k.b(), "status", k.c());
    }
}
