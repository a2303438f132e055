package io.duroxide.api;

import io.duroxide.history.FailureDetails;
import io.duroxide.json.JsonConverter;
import java.time.Instant;

/**
 * A snapshot of one instance as the store holds it.
 *
 * @param output JSON of the result when completed, else null
 * @param failure why it failed or was cancelled, else null
 * @param customStatus JSON of the last custom status, or null
 */
public record InstanceStatus(
        String instanceId,
        String name,
        String version,
        RuntimeStatus status,
        long executionId,
        String input,
        String output,
        FailureDetails failure,
        String customStatus,
        String parentInstanceId,
        Instant createdAt,
        Instant lastUpdatedAt) {

    public <T> T outputAs(Class<T> type) {
        return JsonConverter.DEFAULT.fromJson(output, type);
    }

    public <T> T customStatusAs(Class<T> type) {
        return JsonConverter.DEFAULT.fromJson(customStatus, type);
    }
}
