package io.duroxide.api;

public class InstanceNotFoundException extends DuroxideException {
    public InstanceNotFoundException(String instanceId) {
        super("no instance with id '" + instanceId + "'");
    }
}
