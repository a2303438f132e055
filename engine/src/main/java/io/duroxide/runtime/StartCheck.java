package io.duroxide.runtime;

import io.duroxide.api.UnknownOrchestrationException;

/**
 * What a client does with the orchestration name and version of a start. A runtime's client checks them
 * against the runtime's registry; a client without a registry checks nothing, since it cannot know what
 * other processes run.
 */
interface StartCheck {
    StartCheck NONE = new StartCheck() {
        @Override
        public void beforeStore(String name, String version) {
        }

        @Override
        public void stored(String instanceId, String name, String version) {
        }
    };

    /**
     * Called before anything is stored.
     *
     * @param version the requested version, or null for the latest
     * @throws UnknownOrchestrationException to refuse the start
     */
    void beforeStore(String name, String version);

    /** Called once this call has stored a new instance. */
    void stored(String instanceId, String name, String version);
}
