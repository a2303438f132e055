package io.duroxide.agent.weaving;

import io.duroxide.agent.config.Log;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BooleanSupplier;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Weaves the instrumentation units' advice into a class with Byte Buddy's bundled ASM only: the units'
 * matchers decide from the class file and its supertypes' class files ({@link TypeHierarchy}) which advice
 * class goes on which method, and {@link AdviceInliner} inlines the advice as Byte Buddy's {@code Advice} would.
 * Methods without advice are copied unchanged; frames of woven methods are recomputed.
 *
 * <p>History, measured: Byte Buddy's {@code AgentBuilder} loaded about 1,150 Byte Buddy classes at start-up;
 * type pool + {@code Advice} + {@code decorate} still about 750, and weaving the first class (the provider,
 * while the application waited at the gate) took about 0.4 s of interpreted Byte Buddy code. The reader and
 * writer of ASM are about 30 classes.
 *
 * <p>Failures are logged once per type and the class loads unchanged; nothing is thrown into the JVM.
 */
public final class WeavingTransformer implements ClassFileTransformer {
    private final List<Instrumentations.Unit> units;
    private final EngineLoaders loaders;
    private final ClassLoader agentLoader = WeavingTransformer.class.getClassLoader();
    /** Advice classes, parsed once (the agent jar does not change while it runs). */
    private final Map<String, AdviceInliner.AdviceClass> adviceClasses = new ConcurrentHashMap<>();
    /**
     * Engine classes woven ahead of their loading ({@link #prepare}), by internal name; an entry is used once,
     * by the same loader with the same original bytes, and then dropped.
     */
    private final Map<String, Prepared> prepared = new ConcurrentHashMap<>();

    private record Prepared(ClassLoader loader, byte[] original, FutureTask<byte[]> woven) {}

    /** One type hierarchy per class loader, held weakly so a discarded loader (a redeployed application) is not kept alive. */
    private final Map<ClassLoader, TypeHierarchy> hierarchies = new WeakHashMap<>();

    /**
     * {@code bridgeInBootstrap} is asked when a class loader is first matched, which {@link #prepareSystemLoader} never does:
     * the agent weaves the engine's classes ahead while it is still putting the bridge into the bootstrap loader.
     */
    public WeavingTransformer(List<Instrumentations.Unit> units, BooleanSupplier bridgeInBootstrap) {
        this.units = List.copyOf(units);
        this.loaders = new EngineLoaders(bridgeInBootstrap);
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
        if (loader == null || internalName == null || !loaders.matches(loader)) {
            return null;
        }
        try {
            long start = System.nanoTime();
            Prepared ahead = prepared.remove(internalName);
            byte[] woven = ahead != null && ahead.loader() == loader && Arrays.equals(ahead.original(), bytes)
                    ? ahead(ahead.woven())
                    : weave(hierarchy(loader), bytes);
            if (woven != null) {
                Log.debug("instrumented " + internalName.replace('/', '.') + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
            return woven;
        } catch (Throwable t) {
            String name = internalName.replace('/', '.');
            Log.warnOnce("weave:" + name, "could not instrument " + name + " (" + t + "); it runs unmeasured");
            return null;
        }
    }

    /**
     * Weaves, on the calling (agent) thread, the engine's own instrumented classes that {@code loader} can see,
     * before the application loads them: the application's thread then finds them woven instead of weaving
     * them while it waits at the gate. A handful of known class names, read as resources; nothing is loaded and
     * nothing is scanned. A class the application loads meanwhile is waited for, or woven by whichever thread
     * comes first.
     *
     * <p>For the system class loader only, and before the bridge is in the bootstrap loader: that loader sees the
     * engine's bridge either way (the agent jar is on the system class path), so its match is not asked here;
     * asking would load the bridge class into it ahead of the bootstrap copy.
     */
    public void prepareSystemLoader(List<String> classNames) {
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        try {
            List<FutureTask<byte[]>> tasks = new ArrayList<>();
            for (String name : classNames) {
                String internalName = name.replace('.', '/');
                byte[] original;
                try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
                    if (in == null) {
                        continue;
                    }
                    original = in.readAllBytes();
                }
                TypeHierarchy hierarchy = hierarchy(loader);
                FutureTask<byte[]> task = new FutureTask<>(() -> weave(hierarchy, original));
                prepared.put(internalName, new Prepared(loader, original, task));
                tasks.add(task);
            }
            for (FutureTask<byte[]> task : tasks) {
                task.run(); // a no-op if the application's thread got to it first
            }
        } catch (Throwable t) {
            Log.debug("weaving ahead failed (" + t + "); classes are woven when they load");
        }
    }

    /** The result of a weave done ahead: runs it here if it has not started, else waits for it. */
    private static byte[] ahead(FutureTask<byte[]> task) throws Throwable {
        task.run();
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    /** The woven class file, or null if no unit matches the class or any of its methods. */
    byte[] weave(TypeHierarchy hierarchy, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        hierarchy.add(reader);
        WovenClass.TypeView type = new WovenClass.TypeView(hierarchy, hierarchy.header(reader.getClassName()));
        List<Instrumentations.MethodAdvice> candidates = new ArrayList<>();
        for (Instrumentations.Unit unit : units) {
            if (unit.types().test(type)) {
                candidates.addAll(unit.advice());
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        // first pass: which advice goes on which method, and each such method's max_locals (advice locals go above)
        Map<String, List<AdviceInliner.AdviceClass>> plan = new HashMap<>();
        Map<String, Integer> maxLocals = new HashMap<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                WovenClass.MethodView method = new WovenClass.MethodView(type, access, name, descriptor);
                String key = name + descriptor;
                for (Instrumentations.MethodAdvice advice : candidates) {
                    if (method.hasOwnCode() && !method.isInitializer() && advice.methods().test(method)) {
                        plan.computeIfAbsent(key, k -> new ArrayList<>()).add(adviceClass(advice.adviceClass()));
                    }
                }
                return !plan.containsKey(key) ? null : new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMaxs(int maxStack, int locals) {
                        maxLocals.put(key, locals);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        if (plan.isEmpty()) {
            return null;
        }
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return hierarchy.commonSuperClass(a, b);
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                List<AdviceInliner.AdviceClass> advice = plan.get(name + descriptor);
                if (advice != null) {
                    int firstLocal = maxLocals.get(name + descriptor);
                    for (AdviceInliner.AdviceClass a : advice) {
                        mv = new AdviceInliner.Weave(mv, access, name, descriptor, a, firstLocal);
                        firstLocal += a.localsFor(Type.getReturnType(descriptor));
                    }
                }
                return mv;
            }
        }, 0);
        return writer.toByteArray();
    }

    private AdviceInliner.AdviceClass adviceClass(String name) {
        AdviceInliner.AdviceClass advice = adviceClasses.get(name);
        if (advice == null) {
            String resource = name.replace('.', '/') + ".class";
            try (InputStream in = agentLoader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing " + resource + " in the agent jar");
                }
                advice = AdviceInliner.AdviceClass.parse(name, in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + resource + ": " + e, e);
            }
            adviceClasses.put(name, advice);
        }
        return advice;
    }

    private TypeHierarchy hierarchy(ClassLoader loader) {
        synchronized (hierarchies) {
            return hierarchies.computeIfAbsent(loader, TypeHierarchy::new);
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
