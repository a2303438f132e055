package io.duroxide.agent.weaving;

import io.duroxide.agent.config.Log;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BooleanSupplier;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches the class loaders worth instrumenting: they can see the engine (so applications without it
 * pay one resource lookup per class loader and nothing else) and they resolve the bridge to the one the
 * agent uses (always true once the bridge is in the bootstrap loader). Results are cached weakly.
 */
final class EngineLoaders implements ElementMatcher<ClassLoader> {
    private static final String ENGINE_MARKER = "io/duroxide/provider/Provider.class";
    private static final String BRIDGE = "io.duroxide.agent.bootstrap.Bridge";

    private final BooleanSupplier bridgeInBootstrap;
    private final Map<ClassLoader, Boolean> cache = new WeakHashMap<>();

    EngineLoaders(BooleanSupplier bridgeInBootstrap) {
        this.bridgeInBootstrap = bridgeInBootstrap;
    }

    @Override
    public boolean matches(ClassLoader loader) {
        if (loader == null) {
            return false;
        }
        synchronized (cache) {
            Boolean b = cache.get(loader);
            if (b != null) {
                return b;
            }
        }
        boolean result = compute(loader);
        synchronized (cache) {
            cache.put(loader, result);
        }
        return result;
    }

    private boolean compute(ClassLoader loader) {
        try {
            if (loader.getResource(ENGINE_MARKER) == null) {
                return false;
            }
            if (bridgeInBootstrap.getAsBoolean()) {
                return true;
            }
            Class<?> seen = Class.forName(BRIDGE, false, loader);
            Class<?> ours = Class.forName(BRIDGE, false, EngineLoaders.class.getClassLoader());
            if (seen == ours) {
                return true;
            }
        } catch (Throwable t) {
            // not visible
        }
        Log.warnOnce("loader:" + loader.getClass().getName(), "the engine in class loader " + loader
                + " cannot reach the agent's bridge; it is not instrumented");
        return false;
    }
}
