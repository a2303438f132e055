package io.duroxide.api;

/**
 * Options for starting an instance.
 *
 * @param instanceId the id to use, or null for a random one
 * @param version the version to run, or null for the latest registered when the first turn runs
 */
public record StartOptions(String instanceId, String version) {
    public static StartOptions withInstanceId(String instanceId) {
        return new StartOptions(instanceId, null);
    }
}
