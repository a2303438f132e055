package io.duroxide.runtime;

/**
 * Unwinds orchestration code when it awaits a result history does not hold yet. An {@link Error}, so
 * that {@code catch (Exception e)} in user code lets it pass; code that catches it anyway is detected
 * and the instance fails with a message saying so.
 */
final class TurnSuspension extends Error {
    TurnSuspension(String reason) {
        super(reason, null, false, false);
    }
}
