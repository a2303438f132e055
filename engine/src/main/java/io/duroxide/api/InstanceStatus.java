package io.duroxide.api;

import java.time.Instant;

/**
 * A snapshot of one instance as the store holds it.
 *
 * <p>Payloads are kept as the JSON the engine wrote; {@link #outputAs} and {@link #customStatusAs} read them
 * back as values with the engine's own JSON mapping (records, {@code java.time} types), so a status an
 * orchestration set with {@code ctx.setCustomStatus(new Progress(3, 10))} reads back as
 * {@code status.customStatusAs(Progress.class)}.
 *
 * @param output JSON of the result when completed, else null
 * @param failure why it failed or was cancelled, else null; {@link #failureKind()} is its kind
 * @param customStatus JSON of the last custom status, or null; {@link #customStatusAs} reads it as a value
 */
public record InstanceStatus(
        String instanceId,
        String name,
        String version,
        RuntimeStatus status,
        long executionId,
        String input,
        String output,
        Failure failure,
        String customStatus,
        String parentInstanceId,
        Instant createdAt,
        Instant lastUpdatedAt) {

    public <T> T outputAs(Class<T> type) {
        return JsonConverter.DEFAULT.fromJson(output, type);
    }

    /**
     * The last custom status read as {@code type}, or null when none is set.
     *
     * @throws JsonConverter.PayloadException if the stored JSON does not read as {@code type}
     */
    public <T> T customStatusAs(Class<T> type) {
        return JsonConverter.DEFAULT.fromJson(customStatus, type);
    }

    /**
     * Why the instance failed or was cancelled, or null while it runs or after it completed. In a
     * {@code switch} the case labels need no import: {@code case TIMEOUT}, {@code case NONDETERMINISM}, ...
     * A task failure the orchestration let escape keeps the task's kind ({@code TIMEOUT} for an activity
     * that timed out); {@code APPLICATION} means orchestration or activity code threw.
     */
    public FailureKind failureKind() {
        return failure == null ? null : failure.kind();
    }
}
