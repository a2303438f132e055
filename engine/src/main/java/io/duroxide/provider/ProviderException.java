package io.duroxide.provider;

import io.duroxide.api.DuroxideException;
import io.duroxide.provider.jdbc.Secrets;

/**
 * A storage failure. Retryable ones (busy database, lost connection) may succeed if tried again. The
 * message is masked ({@link Secrets}): drivers and stores quote URLs and properties that may hold a password.
 */
public class ProviderException extends DuroxideException {
    private final String operation;
    private final boolean retryable;

    public ProviderException(String operation, String message, boolean retryable, Throwable cause) {
        super(operation + ": " + Secrets.mask(message), cause);
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
