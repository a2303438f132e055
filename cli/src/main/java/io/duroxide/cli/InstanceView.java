package io.duroxide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.duroxide.api.Failure;
import io.duroxide.api.InstanceStatus;
import java.time.Instant;
import java.util.List;

/**
 * An instance as {@code --json} prints it: the stored row, payloads as JSON. Field names are part of the
 * tool's contract with scripts; new fields may be added, none renamed.
 */
record InstanceView(String instanceId, String name, String version, String status, long executionId,
        Instant createdAt, Instant lastUpdatedAt, JsonNode customStatus, JsonNode input, JsonNode output,
        FailureView failure, String parentInstanceId) {

    static InstanceView of(InstanceStatus s) {
        return new InstanceView(s.instanceId(), s.name(), s.version(), s.status().name(), s.executionId(), s.createdAt(),
                s.lastUpdatedAt(), CliJson.payload(s.customStatus()), CliJson.payload(s.input()),
                CliJson.payload(s.output()), FailureView.of(s.failure()), s.parentInstanceId());
    }

    /** A failure as stored: kind, exception class, optional error code, message, cause chain, retryability. */
    record FailureView(String kind, String errorType, String errorCode, String message, List<String> classChain,
            boolean retryable) {
        static FailureView of(Failure f) {
            return f == null ? null
                    : new FailureView(f.kind().name(), f.errorType(), f.errorCode(), f.message(), f.classChain(), f.retryable());
        }
    }
}
