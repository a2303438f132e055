package io.duroxide.agent.weaving;

import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * What the instrumentation units' matchers see of a class being woven and of its methods, read from class
 * files by {@link TypeHierarchy} (no class is loaded to match). Names are binary names ({@code a.b.C}).
 */
final class WovenClass {
    private WovenClass() {}

    /** The class being woven. */
    static final class TypeView {
        private final TypeHierarchy hierarchy;
        private final TypeHierarchy.Header header;

        TypeView(TypeHierarchy hierarchy, TypeHierarchy.Header header) {
            this.hierarchy = hierarchy;
            this.header = header;
        }

        String name() {
            return header.name().replace('/', '.');
        }

        boolean isInterface() {
            return header.isInterface();
        }

        boolean isAbstract() {
            return (header.access() & Opcodes.ACC_ABSTRACT) != 0;
        }

        /** This type is {@code binaryName} or one of its subtypes. */
        boolean isSubtypeOf(String binaryName) {
            return hierarchy.isSubtypeOf(header.name(), binaryName.replace('.', '/'));
        }

        TypeHierarchy hierarchy() {
            return hierarchy;
        }
    }

    /** A method the class being woven declares. */
    static final class MethodView {
        private final TypeView owner;
        private final int access;
        private final String name;
        private final String descriptor;

        MethodView(TypeView owner, int access, String name, String descriptor) {
            this.owner = owner;
            this.access = access;
            this.name = name;
            this.descriptor = descriptor;
        }

        String name() {
            return name;
        }

        boolean named(String expected) {
            return name.equals(expected);
        }

        int argumentCount() {
            return Type.getArgumentTypes(descriptor).length;
        }

        /** The only argument is of type {@code binaryName}. */
        boolean takesOnly(String binaryName) {
            Type[] args = Type.getArgumentTypes(descriptor);
            return args.length == 1 && args[0].getClassName().equals(binaryName);
        }

        boolean isStatic() {
            return (access & Opcodes.ACC_STATIC) != 0;
        }

        /** Has code of its own: not abstract, native or a compiler-made bridge. */
        boolean hasOwnCode() {
            return (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE)) == 0;
        }

        /** A constructor or static initialiser: never woven (the advice layout assumes an initialised {@code this}). */
        boolean isInitializer() {
            return name.startsWith("<");
        }

        /** Overrides (implements) a method that {@code binaryName}, a supertype of the owner, declares. */
        boolean overridesMethodOf(String binaryName) {
            return owner.hierarchy().declaredMethods(binaryName.replace('.', '/'))
                    .contains(TypeHierarchy.signatureKey(name, descriptor));
        }
    }
}
