package io.duroxide.agent.instrumentation;

import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

/**
 * Byte Buddy's type pool with one cache per class loader, held weakly so a discarded class loader (a
 * redeployed application) is not kept alive. Only classes that reach Byte Buddy (the engine's and those
 * that mention it, see the gate) and their supertypes are parsed and cached, so the cache stays small,
 * and the engine's supertypes are parsed once instead of once per matched class.
 */
public final class WeakTypePoolCache extends AgentBuilder.PoolStrategy.WithTypePoolCache {
    private final Map<ClassLoader, TypePool.CacheProvider> caches = new WeakHashMap<>();
    private final TypePool.CacheProvider bootstrap = new TypePool.CacheProvider.Simple();

    public WeakTypePoolCache() {
        super(TypePool.Default.ReaderMode.FAST);
    }

    @Override
    protected TypePool.CacheProvider locate(ClassLoader classLoader) {
        if (classLoader == null) {
            return bootstrap;
        }
        synchronized (caches) {
            TypePool.CacheProvider cache = caches.get(classLoader);
            if (cache == null) {
                cache = new TypePool.CacheProvider.Simple();
                caches.put(classLoader, cache);
            }
            return cache;
        }
    }
}
