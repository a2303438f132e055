package io.duroxide.provider;

import io.duroxide.api.DuroxideException;

/** A storage failure. Retryable ones (busy database, lost connection) may succeed if tried again. */
public class ProviderException extends DuroxideException {
    private final String operation;
    private final boolean retryable;

    public ProviderException(String operation, String message, boolean retryable, Throwable cause) {
        super(operation + ": " + message, cause);
        this.operation = operation;
        this.retryable = retryable;
    }

    public String operation() {
        return operation;
    }

    public boolean retryable() {
        return retryable;
    }
}
