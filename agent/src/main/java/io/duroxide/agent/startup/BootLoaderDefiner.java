package io.duroxide.agent.startup;

import io.duroxide.agent.config.Log;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Puts classes into the bootstrap class loader without appending to its search path: appending a jar
 * ({@code appendToBootstrapClassLoaderSearch}) makes the JVM print "Sharing is only supported for boot loader
 * classes because bootstrap classpath has been appended" and turns class data sharing off for every class of the
 * platform and application loaders, which the application then pays at each start. The classes are defined by
 * {@link InternalUnsafeDefiner}, loaded into a throw-away class loader whose module alone is given
 * {@code jdk.internal.misc} (through {@link Instrumentation#redefineModule}).
 */
final class BootLoaderDefiner {
    private BootLoaderDefiner() {}

    private static final String DEFINER = "io.duroxide.agent.startup.InternalUnsafeDefiner";

    /**
     * Defines {@code bytes[i]} as {@code names[i]} in the bootstrap loader, in this order; false (with the reason at
     * debug level) when this JVM does not allow it, for the caller to fall back to appending a jar. Classes defined
     * before a failure stay defined; the jar then serves the others with the same bytes.
     */
    static boolean define(Instrumentation inst, String[] names, byte[][] bytes) {
        try {
            Module javaBase = Object.class.getModule();
            if (!inst.isModifiableModule(javaBase)) {
                Log.debug("java.base cannot be modified; the bridge goes into a jar on the bootstrap search path");
                return false;
            }
            byte[] definerBytes;
            try (InputStream in = BootLoaderDefiner.class.getClassLoader()
                    .getResourceAsStream(DEFINER.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new IllegalStateException("missing " + DEFINER + " in the agent jar");
                }
                definerBytes = in.readAllBytes();
            }
            Class<?> definer = new OwnLoader().define(DEFINER, definerBytes);
            inst.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(definer.getModule())), Map.of(),
                    Set.of(), Map.of());
            definer.getMethod("define", String[].class, byte[][].class).invoke(null, names, bytes);
            return true;
        } catch (Throwable t) {
            Throwable reason = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null ? t.getCause() : t;
            Log.debug("cannot define the bridge in the bootstrap loader directly (" + reason
                    + "); it goes into a jar on the bootstrap search path");
            return false;
        }
    }

    /** A loader of one class, with the bootstrap loader as parent, so its module is nobody else's. */
    private static final class OwnLoader extends ClassLoader {
        OwnLoader() {
            super("duroxide-agent-boot-definer", null);
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
