package io.duroxide.agent.metrics;

import java.util.ArrayList;
import java.util.List;

/** Reads the provider's queue depths and active-instance counts (the engine's Provider SPI) reflectively. */
public final class ProviderProbe {
    private ProviderProbe() {}

    static final String PROVIDER = "io.duroxide.provider.Provider";

    /** {orchestratorReady, activityReady}. */
    public static long[] queueDepths(Object provider) throws ReflectiveOperationException {
        Object depths = EngineProbe.call(provider, PROVIDER, "queueDepths");
        if (depths == null) {
            return new long[] {0, 0};
        }
        return new long[] {EngineProbe.longAccessor(depths, "orchestratorReady"), EngineProbe.longAccessor(depths, "activityReady")};
    }

    public record ActiveCount(String orchestrationName, String state, long count) {}

    public static List<ActiveCount> activeInstances(Object provider) throws ReflectiveOperationException {
        Object list = EngineProbe.call(provider, PROVIDER, "countActiveInstances");
        List<ActiveCount> out = new ArrayList<>();
        if (list instanceof Iterable) {
            for (Object o : (Iterable<?>) list) {
                out.add(new ActiveCount(
                        String.valueOf(EngineProbe.accessor(o, "orchestrationName")),
                        String.valueOf(EngineProbe.accessor(o, "state")),
                        EngineProbe.longAccessor(o, "count")));
            }
        }
        return out;
    }

    /** The provider of a dispatcher loop ({@code DispatcherLoop#provider()}). */
    public static Object providerOfLoop(Object loop) throws ReflectiveOperationException {
        return EngineProbe.call(loop, "io.duroxide.runtime.DispatcherLoop", "provider");
    }
}
