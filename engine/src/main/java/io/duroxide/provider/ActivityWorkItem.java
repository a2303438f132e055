package io.duroxide.provider;

/**
 * One activity attempt in the worker queue.
 *
 * @param attempt 0 for the first try, then one more per retry of the retry policy
 * @param maxAttempts the retry policy's total attempts, so the worker knows whether a failure will be retried
 * @param timeoutMs the per-attempt timeout, 0 for none
 */
public record ActivityWorkItem(
        String instanceId,
        long executionId,
        int taskId,
        String orchestrationName,
        String activityName,
        String input,
        String tag,
        int attempt,
        int maxAttempts,
        long timeoutMs) {}
