package io.duroxide.bench.peer;

import io.duroxide.runtime.DuroxideRuntime;

/**
 * How the Duroxide side of a round is configured: local steps on or off, and its orchestration and activity slots
 * (the runtime's defaults are 8 and 4). Passed to a child process as one argument, {@code on/8/4}.
 */
record DuroxideSettings(boolean localSteps, int orchestrationSlots, int activitySlots) {
    static final DuroxideSettings DEFAULTS = new DuroxideSettings(true, 8, 4);

    DuroxideSettings {
        if (orchestrationSlots < 1 || activitySlots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, were " + orchestrationSlots + "/" + activitySlots);
        }
    }

    /** {@code on/8/4} or {@code off/32/16}: local steps, orchestration slots, activity slots. */
    static DuroxideSettings parse(String value) {
        String[] parts = value.split("/");
        if (parts.length != 3 || !(parts[0].equals("on") || parts[0].equals("off"))) {
            throw new IllegalArgumentException("Duroxide settings are on|off/ORCHESTRATION_SLOTS/ACTIVITY_SLOTS, was '"
                    + value + "'");
        }
        return new DuroxideSettings(parts[0].equals("on"), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }

    DuroxideSettings withLocalSteps(boolean on) {
        return new DuroxideSettings(on, orchestrationSlots, activitySlots);
    }

    DuroxideSettings withSlots(int orchestration, int activity) {
        return new DuroxideSettings(localSteps, orchestration, activity);
    }

    DuroxideRuntime.Builder applyTo(DuroxideRuntime.Builder builder) {
        return builder.localSteps(localSteps).orchestrationConcurrency(orchestrationSlots).activityConcurrency(activitySlots);
    }

    @Override
    public String toString() {
        return (localSteps ? "on" : "off") + "/" + orchestrationSlots + "/" + activitySlots;
    }

    /** For the output's configuration line. */
    String describe() {
        return "local steps " + (localSteps ? "on" : "off") + ", " + orchestrationSlots + " orchestration and "
                + activitySlots + " activity slots";
    }
}
