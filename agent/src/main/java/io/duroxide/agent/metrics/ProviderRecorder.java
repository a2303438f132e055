package io.duroxide.agent.metrics;

import io.duroxide.agent.bootstrap.ProviderCall;
import io.duroxide.agent.bootstrap.ProviderSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records provider SPI calls: duration by operation and status (success observations sampled, errors
 * always), an exact operation counter, and classified errors. A successful call with the default sample
 * rate updates one timer and nothing else: the operation counter is derived from it (see
 * {@link Meters#countStatus}).
 */
public final class ProviderRecorder implements ProviderSink {
    static final String DURATION = "duroxide.provider.operation.duration";
    static final String OPERATIONS = "duroxide.provider.operations";
    static final String ERRORS = "duroxide.provider.errors";

    private final Metrics metrics;
    private final LabelLimiter errorMessages;
    private final boolean withMessages;
    /** SPI method name to the meters of its operation label; methods of one operation share one {@link Meters}. */
    private final ConcurrentHashMap<String, Meters> byMethod = new ConcurrentHashMap<>();
    /** Operation label to its meters: one per label, so each derived operation counter is registered by one owner. */
    private final ConcurrentHashMap<String, Meters> byOperation = new ConcurrentHashMap<>();

    private record ErrorKey(String errorType, String message) {}

    final class Meters {
        final String operation;
        volatile Timer successTimer;
        volatile Timer errorTimer;
        /** Successful calls whose duration the sampler left out (only ever incremented when SAMPLE_RATE < 1). */
        final LongAdder successUnsampled = new LongAdder();
        volatile boolean successCounted;
        volatile boolean errorCounted;
        final ConcurrentHashMap<ErrorKey, Counter> errors = new ConcurrentHashMap<>();

        Meters(String operation) {
            this.operation = operation;
        }

        Timer timer(boolean success) {
            Timer t = success ? successTimer : errorTimer;
            if (t == null) {
                t = metrics.timer(DURATION, "Provider (storage) operation latency", metrics.config.providerDurationBuckets,
                        "operation", operation, "status", success ? "success" : "error");
                if (success) {
                    successTimer = t;
                } else {
                    errorTimer = t;
                }
            }
            return t;
        }

        /**
         * Registers the exact operation counter of one status on its first call. It is not incremented per
         * call: its value is the duration timer's count (every error and every sampled success is recorded
         * there) plus the successes the sampler left out, so a call costs one meter update less. Both parts
         * only grow, so the sum never goes down between scrapes.
         */
        void countStatus(boolean success) {
            if (success ? successCounted : errorCounted) {
                return;
            }
            synchronized (this) {
                if (success ? successCounted : errorCounted) {
                    return;
                }
                metrics.functionCounter(OPERATIONS, "Provider (storage) operations, exact even when durations are sampled",
                        this, success ? Meters::successes : Meters::failures,
                        "operation", operation, "status", success ? "success" : "error");
                if (success) {
                    successCounted = true;
                } else {
                    errorCounted = true;
                }
            }
        }

        double successes() {
            Timer t = successTimer;
            return (t == null ? 0 : t.count()) + successUnsampled.sum();
        }

        double failures() {
            Timer t = errorTimer;
            return t == null ? 0 : t.count();
        }

        Counter error(ErrorKey k) {
            return errors.computeIfAbsent(k, key -> withMessages
                    ? metrics.counter(ERRORS, "Provider (storage) errors by classified type",
                            "operation", operation, "error_type", key.errorType(), "error_message", key.message())
                    : metrics.counter(ERRORS, "Provider (storage) errors by classified type",
                            "operation", operation, "error_type", key.errorType()));
        }
    }

    public ProviderRecorder(Metrics metrics) {
        this.metrics = metrics;
        this.errorMessages = metrics.limiter("error_message");
        this.withMessages = metrics.config.includeErrorMessages;
    }

    @Override
    public boolean measureSuccess() {
        return metrics.sampler.sampleSuccess();
    }

    @Override
    public void operation(ProviderCall call) {
        String key = call.method == null ? "other" : call.method;
        Meters m = byMethod.get(key);
        if (m == null) {
            m = byMethod.computeIfAbsent(key, this::metersOf);
        }
        boolean success = call.error == null;
        m.countStatus(success);
        if (success && call.durationNanos == ProviderCall.UNMEASURED) {
            m.successUnsampled.increment();
            return;
        }
        m.timer(success).record(Math.max(0, call.durationNanos), TimeUnit.NANOSECONDS);
        if (!success) {
            String message = withMessages ? errorMessages.apply(metrics.messages.normalize(rootMessage(call.error))) : null;
            m.error(new ErrorKey(ProviderErrors.classify(call.error), message)).increment();
        }
    }

    private Meters metersOf(String method) {
        String operation = metrics.limiter("operation").apply(SpecLabelValues.providerOperation(method));
        return byOperation.computeIfAbsent(operation, Meters::new);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        for (int i = 0; i < 16 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
