package io.duroxide.provider;

import java.util.Objects;

/** The result of one activity attempt, to be stored in place of the work item held by {@code lockToken}. */
public record ActivityCompletion(String lockToken, OrchestratorMessage completion) {
    public ActivityCompletion {
        Objects.requireNonNull(lockToken, "lockToken");
        Objects.requireNonNull(completion, "completion");
    }
}
