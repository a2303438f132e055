package io.duroxide.agent.startup;

import java.lang.reflect.Method;
import java.security.ProtectionDomain;

/**
 * Defines classes in the bootstrap class loader with {@code jdk.internal.misc.Unsafe#defineClass} (a null loader
 * means the bootstrap loader). The agent's own class loader never loads this class: {@link BootLoaderDefiner}
 * loads it into a class loader of its own and exports {@code jdk.internal.misc} to that loader's module only,
 * because the agent jar's module is the application class path's and the application must not gain access to
 * the JDK's internals. Reflection only: {@code --release 17} cannot compile against a non-exported package.
 */
public final class InternalUnsafeDefiner {
    private InternalUnsafeDefiner() {}

    /** Defines {@code bytes[i]} under the binary name {@code names[i]}, in this order (supertypes first). */
    public static void define(String[] names, byte[][] bytes) throws ReflectiveOperationException {
        Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
        Method defineClass = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        for (int i = 0; i < names.length; i++) {
            defineClass.invoke(unsafe, names[i], bytes[i], 0, bytes[i].length, null, null);
        }
    }
}
