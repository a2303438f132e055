package io.duroxide.api;

/** Where an instance is in its life. */
public enum RuntimeStatus {
    /** Started by a client; no turn has run yet. */
    PENDING,
    RUNNING,
    SUSPENDED,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
