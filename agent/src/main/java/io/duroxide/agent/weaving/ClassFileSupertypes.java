package io.duroxide.agent.weaving;

import io.duroxide.agent.weaving.Instrumentations;
import java.nio.charset.StandardCharsets;

/**
 * Reads just enough of a class file (constant pool, this class, superclass, interfaces) to tell whether
 * the class can be one the agent instruments, without Byte Buddy: the gate uses it so that classes that
 * mention the engine but cannot match any instrumentation (the application's main class, the engine's
 * own records, events and exceptions) neither wait for the agent to start nor go through the weaver's
 * matchers. Every instrumented type is one of {@link #TARGETS} or a subtype of one, and a subtype names
 * either a target or a non-JDK type among its direct supertypes (a JDK type is never a subtype of an
 * engine type), so the test below never rejects a class an instrumentation would match.
 */
public final class ClassFileSupertypes {
    private ClassFileSupertypes() {}

    /**
     * The engine types whose subtypes (or which themselves) the instrumentation units weave, in internal
     * form. The names are compile-time constants, so reading them loads neither Instrumentations nor Byte Buddy.
     */
    static final String[] TARGETS = {
        internal(Instrumentations.PROVIDER),
        internal(Instrumentations.DISPATCHER_LOOP),
        internal(Instrumentations.ORCHESTRATION_DISPATCHER),
        internal(Instrumentations.ACTIVITY_INVOKER),
    };

    private static final int ACC_INTERFACE = 0x0200;

    private static final String[] JDK_PREFIXES = {"java/", "javax/", "jdk/", "sun/", "com/sun/"};

    /**
     * True unless the bytes show the class is an interface, or none of the targets and has only JDK types as
     * direct supertypes. Unreadable bytes answer true: the weaver then decides, as before this filter existed.
     */
    public static boolean mayBeInstrumented(byte[] b) {
        try {
            if (b == null || b.length < 10 || readInt(b, 0) != 0xCAFEBABE) {
                return true;
            }
            int count = readU2(b, 8);
            int[] offsets = new int[count];
            int p = 10;
            for (int i = 1; i < count; i++) {
                offsets[i] = p;
                int tag = b[p] & 0xff;
                switch (tag) {
                    case 1: // Utf8
                        p += 3 + readU2(b, p + 1);
                        break;
                    case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                        p += 3;
                        break;
                    case 15: // MethodHandle
                        p += 4;
                        break;
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                        p += 5;
                        break;
                    case 5: case 6: // Long, Double take two slots
                        p += 9;
                        i++;
                        break;
                    default:
                        return true;
                }
            }
            if ((readU2(b, p) & ACC_INTERFACE) != 0) {
                return false; // no unit weaves an interface (their code is in the implementations, which pass here)
            }
            int thisClass = readU2(b, p + 2);
            int superClass = readU2(b, p + 4);
            int interfaces = readU2(b, p + 6);
            if (isTarget(b, offsets, thisClass) || (superClass != 0 && mayBeSubtypeVia(b, offsets, superClass))) {
                return true;
            }
            for (int i = 0; i < interfaces; i++) {
                if (mayBeSubtypeVia(b, offsets, readU2(b, p + 8 + 2 * i))) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException malformed) {
            return true;
        }
    }

    /** A JDK class (internal name): never an instrumented type nor a subtype of one. */
    public static boolean isJdk(String internalName) {
        return matchesAny(internalName, JDK_PREFIXES, true);
    }

    private static boolean isTarget(byte[] b, int[] offsets, int classIndex) {
        return matchesAny(className(b, offsets, classIndex), TARGETS, false);
    }

    /** A direct supertype through which the class may be a subtype of a target: a target itself or any non-JDK type. */
    private static boolean mayBeSubtypeVia(byte[] b, int[] offsets, int classIndex) {
        return !isJdk(className(b, offsets, classIndex));
    }

    private static boolean matchesAny(String name, String[] patterns, boolean asPrefix) {
        for (String pattern : patterns) {
            if (asPrefix ? name.startsWith(pattern) : name.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    private static String className(byte[] b, int[] offsets, int classIndex) {
        int utf8 = offsets[readU2(b, offsets[classIndex] + 1)];
        // class names of the JDK and the engine are ASCII; other bytes only make the name not match a prefix
        return new String(b, utf8 + 3, readU2(b, utf8 + 1), StandardCharsets.ISO_8859_1);
    }

    private static String internal(String binaryName) {
        return binaryName.replace('.', '/');
    }

    private static int readU2(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static int readInt(byte[] b, int i) {
        return (readU2(b, i) << 16) | readU2(b, i + 2);
    }
}
