package io.duroxide.provider;

/** The lock behind a token expired and was taken by someone else, or its work was removed. */
public class LockLostException extends ProviderException {
    public LockLostException(String operation, String message) {
        super(operation, message, false, null);
    }
}
