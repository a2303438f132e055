package io.duroxide.agent.metrics;

import io.duroxide.agent.bootstrap.ActivitySink;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Records one activity attempt: executions (exact), duration (success observations sampled by
 * SAMPLE_RATE, failures always) and, for failed attempts, errors; the duration buckets and errors keep the
 * attempt's instance, execution and attempt number as exemplars. The per-attempt path does one map lookup by
 * activity name and one array read; nothing is allocated once the meters exist (an exemplar slot is replaced at
 * most once a second).
 */
public final class ActivityRecorder implements ActivitySink {
    static final String EXECUTIONS = "duroxide.activity.executions";
    static final String DURATION = "duroxide.activity.duration";
    static final String ERRORS = "duroxide.activity.errors";

    private static final int OUTCOMES = SpecLabelValues.ACTIVITY_OUTCOMES.length;

    private final Metrics metrics;
    private final LabelLimiter names;
    private final LabelLimiter codes;
    private final LabelLimiter errorMessages;
    private final boolean withMessages;
    /** Raw activity name to its meters; only admitted names are keys, overflow goes through {@link #other}. */
    private final ConcurrentHashMap<String, Meters> byName = new ConcurrentHashMap<>();
    private volatile Meters other;

    private record ErrorKey(String errorType, String code, boolean retryable, String message) {}

    final class Meters {
        final String name;
        final AtomicReferenceArray<Counter> executions = new AtomicReferenceArray<>(OUTCOMES * 4);
        final AtomicReferenceArray<TimerWithExemplars> durations = new AtomicReferenceArray<>(OUTCOMES);
        final ConcurrentHashMap<ErrorKey, CounterWithExemplar> errors = new ConcurrentHashMap<>();

        Meters(String name) {
            this.name = name;
        }

        Counter execution(int outcome, int attempt) {
            int i = outcome * 4 + attempt;
            Counter c = executions.get(i);
            if (c == null) {
                c = metrics.counter(EXECUTIONS, "Activity attempts by outcome and retry attempt",
                        "activity_name", name, "outcome", SpecLabelValues.ACTIVITY_OUTCOMES[outcome],
                        "retry_attempt", SpecLabelValues.retryAttempt(attempt));
                executions.set(i, c);
            }
            return c;
        }

        TimerWithExemplars duration(int outcome) {
            TimerWithExemplars t = durations.get(outcome);
            if (t == null) {
                t = metrics.timerWithExemplars(DURATION, "Activity attempt wall-clock duration", metrics.config.activityDurationBuckets,
                        "activity_name", name, "outcome", SpecLabelValues.ACTIVITY_OUTCOMES[outcome]);
                durations.set(outcome, t);
            }
            return t;
        }

        CounterWithExemplar error(ErrorKey k) {
            return errors.computeIfAbsent(k, key -> withMessages
                    ? metrics.counterWithExemplar(ERRORS, "Failed activity attempts by error type, code and retryability",
                            "activity_name", name, "error_type", key.errorType(), "error_code", key.code(),
                            "retryable", String.valueOf(key.retryable()), "error_message", key.message())
                    : metrics.counterWithExemplar(ERRORS, "Failed activity attempts by error type, code and retryability",
                            "activity_name", name, "error_type", key.errorType(), "error_code", key.code(),
                            "retryable", String.valueOf(key.retryable())));
        }
    }

    public ActivityRecorder(Metrics metrics) {
        this.metrics = metrics;
        this.names = metrics.limiter("activity_name");
        this.codes = metrics.limiter("error_code");
        this.errorMessages = metrics.limiter("error_message");
        this.withMessages = metrics.config.includeErrorMessages;
    }

    Meters meters(String rawName) {
        String key = rawName == null || rawName.isEmpty() ? LabelLimiter.NONE : rawName;
        Meters m = byName.get(key);
        if (m != null) {
            return m;
        }
        String limited = names.apply(key);
        if (LabelLimiter.OTHER.equals(limited) && !LabelLimiter.OTHER.equals(key)) {
            Meters o = other;
            if (o == null) {
                synchronized (this) {
                    o = other;
                    if (o == null) {
                        o = byName.computeIfAbsent(LabelLimiter.OTHER, Meters::new);
                        other = o;
                    }
                }
            }
            return o;
        }
        return byName.computeIfAbsent(key, Meters::new);
    }

    @Override
    public void attempt(
            String instanceId,
            long executionId,
            String activityName,
            int retryAttempt,
            String failureType,
            boolean willRetry,
            String failureKind,
            String errorType,
            String errorCode,
            boolean retryable,
            String errorMessage,
            long durationNanos) {
        Meters m = meters(activityName);
        int outcome = SpecLabelValues.activityOutcome(failureType, willRetry);
        m.execution(outcome, SpecLabelValues.retryAttemptIndex(retryAttempt)).increment();
        if (outcome != SpecLabelValues.SUCCESS || metrics.sampler.sampleSuccess()) {
            m.duration(outcome).record(Math.max(0, durationNanos), instanceId, executionId, retryAttempt);
        }
        if (failureType != null && !"CANCELLED".equals(failureType)) {
            String message = withMessages ? errorMessages.apply(metrics.messages.normalize(errorMessage)) : null;
            m.error(new ErrorKey(SpecLabelValues.activityErrorType(failureType, failureKind), codes.apply(errorCode),
                    retryable, message)).increment(instanceId, executionId, retryAttempt);
        }
    }
}
