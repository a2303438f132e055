package io.duroxide.api;

import java.util.List;

/**
 * A failure as the engine recorded it: why a task failed ({@link TaskFailedException#details()}) or an
 * instance failed or was cancelled ({@link InstanceStatus#failure()}).
 *
 * @param kind what class of failure this is
 * @param errorType the fully qualified class of the exception that caused it, or a symbolic name
 * @param classChain the class names of the cause chain, outermost first
 * @param message the exception message (may be empty, never null)
 * @param errorCode the {@link CodedFailure#errorCode()} of the exception, or null
 * @param retryable whether a retry policy may retry it
 */
public record Failure(FailureKind kind, String errorType, List<String> classChain, String message, String errorCode, boolean retryable) {

    public Failure {
        classChain = classChain == null ? List.of() : List.copyOf(classChain);
        message = message == null ? "" : message;
    }

    /** One line for logs and exception messages. */
    public String summary() {
        return kind + " " + errorType + (errorCode != null ? " [" + errorCode + "]" : "") + ": " + message;
    }
}
