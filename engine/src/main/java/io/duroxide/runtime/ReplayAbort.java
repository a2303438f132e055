package io.duroxide.runtime;

import io.duroxide.history.FailureDetails;

/**
 * Unwinds orchestration code when the engine must end the turn whatever the code does next:
 * nondeterminism was detected, or the code asked to continue as new.
 */
final class ReplayAbort extends Error {
    final FailureDetails failure;

    ReplayAbort(FailureDetails failure) {
        super(failure == null ? "continue as new" : failure.message(), null, false, false);
        this.failure = failure;
    }
}
