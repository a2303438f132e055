package io.duroxide.agent.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the provider's queue depths, locked work and active-instance counts (the engine's Provider SPI) reflectively. */
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

    /** Work held under unexpired locks per queue, with the age in seconds of each queue's oldest lock. */
    public record LockedWork(long orchestratorLocked, double orchestratorOldestAgeSeconds, long activityLocked,
            double activityOldestAgeSeconds) {}

    /**
     * The provider's {@code lockedWork()}, or empty when it cannot tell: it keeps the SPI's default, or the
     * engine predates the query (then there is no such method).
     */
    public static Optional<LockedWork> lockedWork(Object provider) throws ReflectiveOperationException {
        Object reported;
        try {
            reported = EngineProbe.call(provider, PROVIDER, "lockedWork");
        } catch (NoSuchMethodException e) {
            return Optional.empty();
        }
        if (!(reported instanceof Optional<?> known) || known.isEmpty()) {
            return Optional.empty();
        }
        Object w = known.get();
        return Optional.of(new LockedWork(EngineProbe.longAccessor(w, "orchestratorLocked"),
                seconds(EngineProbe.accessor(w, "orchestratorOldestLockAge")), EngineProbe.longAccessor(w, "activityLocked"),
                seconds(EngineProbe.accessor(w, "activityOldestLockAge"))));
    }

    private static double seconds(Object age) {
        return age instanceof Duration d ? d.toNanos() / 1e9 : 0;
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

    /** The provider of a dispatcher loop ({@code DispatcherLoopView#provider()}). */
    public static Object providerOfLoop(Object loop) throws ReflectiveOperationException {
        return EngineProbe.call(loop, "io.duroxide.observe.DispatcherLoopView", "provider");
    }
}
