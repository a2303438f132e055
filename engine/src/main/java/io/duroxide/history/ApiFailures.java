package io.duroxide.history;

import io.duroxide.api.Failure;

/**
 * A recorded failure as the API shows it, and back. The API has kinds of its own so that it depends on
 * nothing of the engine; they have the same constants, so a kind converts by name.
 */
public final class ApiFailures {
    private ApiFailures() {
    }

    /** The API's view of a recorded failure; null stays null. */
    public static Failure toApi(FailureDetails failure) {
        if (failure == null) {
            return null;
        }
        return new Failure(io.duroxide.api.FailureKind.valueOf(failure.kind().name()), failure.errorType(), failure.classChain(),
                failure.message(), failure.errorCode(), failure.retryable());
    }

    /** The failure to record for one the API shows; null stays null. */
    public static FailureDetails fromApi(Failure failure) {
        if (failure == null) {
            return null;
        }
        return new FailureDetails(FailureKind.valueOf(failure.kind().name()), failure.errorType(), failure.classChain(),
                failure.message(), failure.errorCode(), failure.retryable());
    }
}
