package io.duroxide.history;

/** How an execution came to exist. */
public enum InitiatedBy {
    CLIENT,
    SUB_ORCHESTRATION,
    CONTINUE_AS_NEW,
    SIGNAL
}
