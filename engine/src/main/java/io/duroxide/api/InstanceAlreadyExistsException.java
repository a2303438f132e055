package io.duroxide.api;

public class InstanceAlreadyExistsException extends DuroxideException {
    public InstanceAlreadyExistsException(String instanceId, RuntimeStatus status) {
        super("instance '" + instanceId + "' already exists with status " + status
                + (status.isTerminal() ? "; purge it before reusing the id" : ""));
    }
}
