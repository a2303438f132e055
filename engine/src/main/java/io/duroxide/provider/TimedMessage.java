package io.duroxide.provider;

import java.time.Instant;

/** A message to enqueue, invisible to fetches until {@code visibleAt} (timers), or at once when null. */
public record TimedMessage(OrchestratorMessage message, Instant visibleAt) {
    public static TimedMessage now(OrchestratorMessage message) {
        return new TimedMessage(message, null);
    }
}
