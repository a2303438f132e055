package io.duroxide.observe;

/** What a committed turn did to its execution. */
public enum TurnOutcome {
    /** The execution goes on, waiting for results. */
    CONTINUES,
    /** The instance is suspended; the turn recorded events but ran no code. */
    SUSPENDED,
    COMPLETED,
    FAILED,
    CANCELLED,
    CONTINUED_AS_NEW;

    public boolean endsExecution() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == CONTINUED_AS_NEW;
    }
}
