package io.duroxide.api;

/**
 * Thrown by {@link Task#await()} when the awaited activity, timer race or sub-orchestration failed.
 *
 * <p>What failed is in {@link #kind()}; the common questions have their own methods, so orchestration code
 * needs nothing outside this package to tell a timeout from an error its activity threw:
 *
 * <pre>{@code
 * try {
 *     return ctx.callActivity("Charge", order, ActivityOptions.DEFAULT.withTimeout(Duration.ofSeconds(30)), Receipt.class).await();
 * } catch (TaskFailedException e) {
 *     if (e.isTimeout()) { ... }                      // every attempt ran out of time
 *     switch (e.kind()) {                              // case labels need no import
 *         case APPLICATION -> log(e.details().errorCode(), e.details().message());
 *         case CANCELLED -> ...
 *         default -> throw e;                          // fails the orchestration with the same kind
 *     }
 * }
 * }</pre>
 *
 * <p>Letting it escape fails the orchestration with the task's kind, error type and code (the message names
 * the task).
 */
public class TaskFailedException extends RuntimeException {
    private final String taskName;
    private final Failure details;

    public TaskFailedException(String taskName, Failure details) {
        super(taskName + " failed: " + details.summary());
        this.taskName = taskName;
        this.details = details;
    }

    public String taskName() {
        return taskName;
    }

    /** The failure as recorded in history: kind, error type, class chain, message, error code, retryable. */
    public Failure details() {
        return details;
    }

    /**
     * What class of failure this is: {@code APPLICATION} (the activity or child orchestration threw),
     * {@code TIMEOUT}, {@code CANCELLED}, or one the engine detected in a child ({@code NONDETERMINISM},
     * {@code CONFIGURATION}, {@code INFRASTRUCTURE}, {@code POISON}).
     */
    public FailureKind kind() {
        return details.kind();
    }

    /** True when an activity's per-attempt timeout expired on its last attempt, or an event wait timed out. */
    public boolean isTimeout() {
        return details.kind() == FailureKind.TIMEOUT;
    }

    /** True when the awaited activity or child orchestration was cancelled (a child a client cancelled, for instance). */
    public boolean isCancelled() {
        return details.kind() == FailureKind.CANCELLED;
    }
}
