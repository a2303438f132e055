package io.duroxide.api;

/**
 * Why a task or an instance failed: {@link TaskFailedException#kind()}, {@link InstanceStatus#failureKind()}.
 * In a {@code switch} the case labels need no import ({@code case TIMEOUT -> ...}).
 *
 * <p>The engine records failures with its own kinds, which observers read; the constants here are the same,
 * in the same order, and the engine's tests hold them so.
 */
public enum FailureKind {
    /** User code threw: an activity, an orchestration, or a child orchestration. */
    APPLICATION,
    /** An activity attempt or an external-event wait ran out of time. */
    TIMEOUT,
    /** The instance (or its parent) was cancelled. */
    CANCELLED,
    /** Replayed code did not emit the actions recorded in history. */
    NONDETERMINISM,
    /** The name or version has no registration in the runtime that processed it. */
    CONFIGURATION,
    /** The storage provider or the runtime failed, not user code. */
    INFRASTRUCTURE,
    /** A message kept failing and exceeded the maximum delivery attempts. */
    POISON
}
