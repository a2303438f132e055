package io.duroxide.history;

/**
 * Implemented by exceptions that carry a user-defined error code and a retryable flag; both are
 * persisted in {@link FailureDetails} when such an exception escapes an activity or orchestration.
 */
public interface CodedFailure {
    String errorCode();

    boolean retryable();
}
