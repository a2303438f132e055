package io.duroxide.api;

/**
 * An application error with a user-defined code. Throw it from an activity or orchestration to
 * control retries ({@code retryable=false} stops the retry policy) and to give operators a stable code.
 */
public class ApplicationException extends RuntimeException implements CodedFailure {
    private final String errorCode;
    private final boolean retryable;

    public ApplicationException(String errorCode, String message, boolean retryable) {
        this(errorCode, message, retryable, null);
    }

    public ApplicationException(String errorCode, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
        this.retryable = retryable;
    }

    @Override
    public String errorCode() {
        return errorCode;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
