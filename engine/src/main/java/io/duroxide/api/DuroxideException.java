package io.duroxide.api;

/** Base of the errors the client and runtime report to callers. */
public class DuroxideException extends RuntimeException {
    public DuroxideException(String message) {
        super(message);
    }

    public DuroxideException(String message, Throwable cause) {
        super(message, cause);
    }
}
