package io.duroxide.api;

import io.duroxide.history.FailureDetails;

/** Thrown by {@link Task#await()} when the awaited activity, timer race or sub-orchestration failed. */
public class TaskFailedException extends RuntimeException {
    private final String taskName;
    private final FailureDetails details;

    public TaskFailedException(String taskName, FailureDetails details) {
        super(taskName + " failed: " + details.summary());
        this.taskName = taskName;
        this.details = details;
    }

    public String taskName() {
        return taskName;
    }

    public FailureDetails details() {
        return details;
    }
}
