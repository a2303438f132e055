package io.duroxide.agent.metrics;

import io.duroxide.agent.bootstrap.ProviderSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records provider SPI calls: duration by operation and status (success observations sampled, errors
 * always), an exact operation counter, and classified errors.
 */
public final class ProviderRecorder implements ProviderSink {
    static final String DURATION = "duroxide.provider.operation.duration";
    static final String OPERATIONS = "duroxide.provider.operations";
    static final String ERRORS = "duroxide.provider.errors";

    private final Metrics metrics;
    private final LabelLimiter errorMessages;
    private final boolean withMessages;
    private final ConcurrentHashMap<String, Meters> byMethod = new ConcurrentHashMap<>();

    private record ErrorKey(String errorType, String message) {}

    final class Meters {
        final String operation;
        volatile Timer successTimer;
        volatile Timer errorTimer;
        volatile Counter successCount;
        volatile Counter errorCount;
        final ConcurrentHashMap<ErrorKey, Counter> errors = new ConcurrentHashMap<>();

        Meters(String method) {
            this.operation = metrics.limiter("operation").apply(Vocabulary.providerOperation(method));
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

        Counter count(boolean success) {
            Counter c = success ? successCount : errorCount;
            if (c == null) {
                c = metrics.counter(OPERATIONS, "Provider (storage) operations, exact even when durations are sampled",
                        "operation", operation, "status", success ? "success" : "error");
                if (success) {
                    successCount = c;
                } else {
                    errorCount = c;
                }
            }
            return c;
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
    public void operation(String method, long durationNanos, Throwable error) {
        Meters m = byMethod.get(method);
        if (m == null) {
            m = byMethod.computeIfAbsent(method == null ? "other" : method, Meters::new);
        }
        boolean success = error == null;
        m.count(success).increment();
        if (!success || metrics.sampler.sampleSuccess()) {
            m.timer(success).record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        }
        if (!success) {
            String message = withMessages ? errorMessages.apply(metrics.messages.normalize(rootMessage(error))) : null;
            m.error(new ErrorKey(ProviderErrors.classify(error), message)).increment();
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        for (int i = 0; i < 16 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
