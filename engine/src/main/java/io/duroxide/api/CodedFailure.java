package io.duroxide.api;

/**
 * Implemented by exceptions that carry a user-defined error code and a retryable flag; both are recorded
 * with the failure ({@link Failure#errorCode()}, {@link Failure#retryable()}) when such an exception
 * escapes an activity or orchestration. {@link ApplicationException} is the ready-made one.
 */
public interface CodedFailure {
    String errorCode();

    boolean retryable();
}
