package io.duroxide.provider;

import io.duroxide.api.DuroxideException;
import io.duroxide.provider.jdbc.Secrets;

/**
 * A storage failure. Retryable ones (busy database, lost connection) may succeed if tried again. The
 * message is masked ({@link Secrets}): drivers and stores quote URLs and properties that may hold a password.
 * A provider that knows what went wrong says so with a {@link Kind}, so monitoring need not guess it again
 * from the driver's exception.
 */
public class ProviderException extends DuroxideException {
    /** What kind of storage failure this is, as far as the provider can tell. */
    public enum Kind {
        /** Waiting for the database (a lock, a statement) ran out of time. */
        TIMEOUT,
        /** The database cannot be reached or its file cannot be used. */
        CONNECTION,
        /** The transaction lost a concurrency conflict and must run again. */
        DEADLOCK,
        /** The stored data is damaged or is not a database. */
        CORRUPTION,
        /** A write broke a uniqueness or integrity constraint. */
        CONSTRAINT_VIOLATION,
        /** None of the above, or the provider did not say. */
        UNKNOWN
    }

    private final String operation;
    private final boolean retryable;
    private final Kind kind;

    public ProviderException(String operation, String message, boolean retryable, Throwable cause) {
        this(operation, message, retryable, Kind.UNKNOWN, cause);
    }

    public ProviderException(String operation, String message, boolean retryable, Kind kind, Throwable cause) {
        super(operation + ": " + Secrets.mask(message), cause);
        this.operation = operation;
        this.retryable = retryable;
        this.kind = kind == null ? Kind.UNKNOWN : kind;
    }

    public String operation() {
        return operation;
    }

    public boolean retryable() {
        return retryable;
    }

    public Kind kind() {
        return kind;
    }
}
