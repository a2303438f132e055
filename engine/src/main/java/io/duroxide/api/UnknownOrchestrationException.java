package io.duroxide.api;

/** A start refused because the orchestration name or version is not registered; nothing was stored. */
public class UnknownOrchestrationException extends DuroxideException {
    public UnknownOrchestrationException(String message) {
        super(message);
    }
}
