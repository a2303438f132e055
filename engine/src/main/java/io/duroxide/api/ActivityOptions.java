package io.duroxide.api;

import java.time.Duration;

/**
 * Options for one activity call.
 *
 * @param retryPolicy attempts and backoff; {@link RetryPolicy#none()} for a single attempt
 * @param timeout per-attempt limit, or null for none; an attempt that exceeds it fails with kind TIMEOUT
 * @param tag a routing tag recorded with the call, or null
 */
public record ActivityOptions(RetryPolicy retryPolicy, Duration timeout, String tag) {
    public static final ActivityOptions DEFAULT = new ActivityOptions(RetryPolicy.none(), null, null);

    public ActivityOptions {
        retryPolicy = retryPolicy == null ? RetryPolicy.none() : retryPolicy;
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    public static ActivityOptions retry(RetryPolicy policy) {
        return new ActivityOptions(policy, null, null);
    }

    public ActivityOptions withTimeout(Duration perAttempt) {
        return new ActivityOptions(retryPolicy, perAttempt, tag);
    }

    public ActivityOptions withTag(String newTag) {
        return new ActivityOptions(retryPolicy, timeout, newTag);
    }
}
