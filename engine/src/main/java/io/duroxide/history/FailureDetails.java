package io.duroxide.history;

import io.duroxide.api.CodedFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * A failure as data: persisted in history, shown by the client and read by observers.
 *
 * @param kind what class of failure this is
 * @param errorType the fully qualified class of the exception that caused it, or a symbolic name
 * @param classChain the class names of the cause chain, outermost first
 * @param message the exception message (may be empty, never null)
 * @param errorCode an optional user-defined error code, or null
 * @param retryable whether a retry policy may retry it
 */
public record FailureDetails(
        FailureKind kind, String errorType, List<String> classChain, String message, String errorCode, boolean retryable) {

    public FailureDetails {
        classChain = classChain == null ? List.of() : List.copyOf(classChain);
        message = message == null ? "" : message;
    }

    /** Captures an exception thrown by user code. {@link CodedFailure}s contribute their code and retryability. */
    public static FailureDetails fromThrowable(FailureKind kind, Throwable error) {
        List<String> chain = new ArrayList<>();
        String code = null;
        boolean retryable = kind != FailureKind.NONDETERMINISM && kind != FailureKind.CONFIGURATION;
        for (Throwable t = error; t != null && chain.size() < 16; t = t.getCause() == t ? null : t.getCause()) {
            chain.add(t.getClass().getName());
            if (code == null && t instanceof CodedFailure coded) {
                code = coded.errorCode();
                retryable = coded.retryable();
            }
        }
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
        return new FailureDetails(kind, error.getClass().getName(), chain, message, code, retryable);
    }

    public static FailureDetails of(FailureKind kind, String errorType, String message, boolean retryable) {
        return new FailureDetails(kind, errorType, List.of(errorType), message, null, retryable);
    }

    /** One line for logs and exception messages. */
    public String summary() {
        return kind + " " + errorType + (errorCode != null ? " [" + errorCode + "]" : "") + ": " + message;
    }
}
