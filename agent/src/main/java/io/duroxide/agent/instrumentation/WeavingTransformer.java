package io.duroxide.agent.instrumentation;

import io.duroxide.agent.Log;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

/**
 * Weaves the instrumentation units' advice into a class, with Byte Buddy's type pool, {@code Advice} and
 * {@code decorate} only. It replaces Byte Buddy's {@code AgentBuilder}, whose set-up was a large share of the
 * agent's start-up cost: about 1,150 Byte Buddy classes loaded (757 now), and at {@code makeRaw()} a class
 * generated at run time (a module-aware subclass of its transformer, built with Byte Buddy's full subclassing
 * machinery). Measured: the agent added about 2.8 s of CPU per start-up with it, about 2.05 s without it.
 * What the agent needs is narrower: the gate ({@code AgentStartup.Gate}) already decides which classes can be
 * instrumented, the advice is inlined and changes no class format ({@code decorate}: no members added), and
 * class loaders are filtered by {@link EngineLoaders}.
 *
 * <p>Failures are logged once per type and the class loads unchanged; nothing is thrown into the JVM.
 */
public final class WeavingTransformer implements ClassFileTransformer {
    private final List<Instrumentations.Unit> units;
    private final EngineLoaders loaders;
    private final ClassFileLocator agentClasses;
    private final ByteBuddy byteBuddy = new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .with(Implementation.Context.Disabled.Factory.INSTANCE);
    /**
     * One type-pool cache per class loader, held weakly so a discarded loader (a redeployed application) is
     * not kept alive: an engine supertype is parsed once, not once per class that extends it.
     */
    private final Map<ClassLoader, TypePool.CacheProvider> caches = new WeakHashMap<>();

    public WeavingTransformer(List<Instrumentations.Unit> units, boolean bridgeInBootstrap) {
        this.units = List.copyOf(units);
        this.loaders = new EngineLoaders(bridgeInBootstrap);
        this.agentClasses = ClassFileLocator.ForClassLoader.of(WeavingTransformer.class.getClassLoader());
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
        if (loader == null || internalName == null || !loaders.matches(loader)) {
            return null;
        }
        String name = internalName.replace('/', '.');
        try {
            ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, bytes),
                    ClassFileLocator.ForClassLoader.of(loader));
            TypePool pool = new TypePool.Default.WithLazyResolution(cache(loader), locator, TypePool.Default.ReaderMode.FAST);
            TypeDescription type = pool.describe(name).resolve();
            DynamicType.Builder<?> builder = null;
            TypePool advicePool = null;
            for (Instrumentations.Unit unit : units) {
                if (!unit.types().matches(type)) {
                    continue;
                }
                if (builder == null) {
                    builder = byteBuddy.decorate(type, locator);
                    // advice classes come from the agent jar; the engine types they mention from the target's loader
                    advicePool = TypePool.Default.of(new ClassFileLocator.Compound(agentClasses, locator));
                }
                for (Instrumentations.MethodAdvice advice : unit.advice()) {
                    builder = builder.visit(Advice.to(advicePool.describe(advice.adviceClass()).resolve(),
                            new ClassFileLocator.Compound(agentClasses, locator)).on(advice.methods()));
                }
            }
            if (builder == null) {
                return null;
            }
            byte[] woven = builder.make(pool).getBytes();
            Log.debug("instrumented " + name);
            return woven;
        } catch (Throwable t) {
            Log.warnOnce("weave:" + name, "could not instrument " + name + " (" + t + "); it runs unmeasured");
            return null;
        }
    }

    private TypePool.CacheProvider cache(ClassLoader loader) {
        synchronized (caches) {
            TypePool.CacheProvider cache = caches.get(loader);
            if (cache == null) {
                cache = new TypePool.CacheProvider.Simple();
                caches.put(loader, cache);
            }
            return cache;
        }
    }

    /**
     * Dynamic attach: registers this transformer and retransforms the engine classes already loaded that are
     * an instrumented type or a subtype of one (found by reflection, no class is loaded for it).
     */
    public void installAndRetransform(Instrumentation inst) {
        inst.addTransformer(this, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            try {
                if (c.getClassLoader() != null && !c.isInterface() && !c.isArray() && inst.isModifiableClass(c) && extendsTarget(c)
                        && loaders.matches(c.getClassLoader())) {
                    loaded.add(c);
                }
            } catch (Throwable ignored) {
                // a class whose supertypes cannot be read is not one of ours
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (Throwable t) {
                Log.warnOnce("weave:" + c.getName(), "could not instrument " + c.getName() + " (" + t + "); it runs unmeasured");
            }
        }
    }

    private static boolean extendsTarget(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (isTarget(k.getName()) || implementsTarget(k)) {
                return true;
            }
        }
        return false;
    }

    private static boolean implementsTarget(Class<?> type) {
        for (Class<?> i : type.getInterfaces()) {
            if (isTarget(i.getName()) || implementsTarget(i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTarget(String name) {
        return name.equals(Instrumentations.PROVIDER) || name.equals(Instrumentations.DISPATCHER_LOOP)
                || name.equals(Instrumentations.ORCHESTRATION_DISPATCHER) || name.equals(Instrumentations.ACTIVITY_INVOKER);
    }
}
