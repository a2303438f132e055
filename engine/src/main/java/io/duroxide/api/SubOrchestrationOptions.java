package io.duroxide.api;

/**
 * Options for a sub-orchestration call.
 *
 * @param instanceId the child's instance id, or null to derive a deterministic one from the parent
 * @param version the child's version, or null for the latest registered
 */
public record SubOrchestrationOptions(String instanceId, String version) {
    public static final SubOrchestrationOptions DEFAULT = new SubOrchestrationOptions(null, null);

    public static SubOrchestrationOptions withInstanceId(String instanceId) {
        return new SubOrchestrationOptions(instanceId, null);
    }
}
