package io.duroxide.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How many attempts an activity gets and how long to wait between them. The waits are durable
 * timers, so a retry survives a restart of the runtime.
 *
 * @param maxAttempts total attempts including the first, at least 1
 * @param backoff the delay before each retry
 */
public record RetryPolicy(int maxAttempts, Backoff backoff) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(backoff, "backoff");
    }

    public static RetryPolicy none() {
        return new RetryPolicy(1, new Backoff.Fixed(Duration.ZERO));
    }

    public static RetryPolicy fixed(int maxAttempts, Duration delay) {
        return new RetryPolicy(maxAttempts, new Backoff.Fixed(delay));
    }

    public static RetryPolicy linear(int maxAttempts, Duration base, Duration max) {
        return new RetryPolicy(maxAttempts, new Backoff.Linear(base, max));
    }

    public static RetryPolicy exponential(int maxAttempts, Duration base, double multiplier, Duration max) {
        return new RetryPolicy(maxAttempts, new Backoff.Exponential(base, multiplier, max));
    }

    /**
     * Whether a failed attempt (0-based) gets another one, given whether its failure is retryable
     * ({@link Failure#retryable()}). The worker and the orchestration both ask this.
     */
    public static boolean willRetry(int attempt, int maxAttempts, boolean retryable) {
        return retryable && attempt + 1 < maxAttempts;
    }

    /** The wait after the given number of failures so far (1 after the first failure). */
    public Duration delayAfter(int failures) {
        return backoff.delayAfter(failures);
    }

    /** Delay between attempts; n is the number of failures so far, starting at 1. */
    public sealed interface Backoff {
        Duration delayAfter(int n);

        record Fixed(Duration delay) implements Backoff {
            @Override
            public Duration delayAfter(int n) {
                return delay;
            }
        }

        record Linear(Duration base, Duration max) implements Backoff {
            @Override
            public Duration delayAfter(int n) {
                Duration d = base.multipliedBy(n);
                return d.compareTo(max) > 0 ? max : d;
            }
        }

        record Exponential(Duration base, double multiplier, Duration max) implements Backoff {
            @Override
            public Duration delayAfter(int n) {
                double millis = base.toMillis() * Math.pow(multiplier, n - 1);
                return millis >= max.toMillis() ? max : Duration.ofMillis(Math.round(millis));
            }
        }
    }
}
