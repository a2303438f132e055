package io.duroxide.agent.weaving;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * What the weaver needs to know about the types of one class loader, read from their class files (never by
 * loading a class, which from inside a transformer could load the engine too early or recurse): each type's
 * header (access, superclass, interfaces) and the methods a type declares. JDK types are answered by the JDK
 * itself ({@code Class.forName} without initialisation: they are loaded already or harmless to load) and are
 * never a subtype of an engine type. One instance per class loader, cached by {@link WeavingTransformer}.
 */
final class TypeHierarchy {
    /** A type's header: internal names. */
    record Header(String name, int access, String superName, String[] interfaces) {
        boolean isInterface() {
            return (access & Opcodes.ACC_INTERFACE) != 0;
        }
    }

    /** Weak: this object is the value of a weak map keyed by the same loader. */
    private final java.lang.ref.WeakReference<ClassLoader> loader;
    private final Map<String, Header> headers = new HashMap<>();
    private final Map<String, Set<String>> declaredMethods = new HashMap<>();

    TypeHierarchy(ClassLoader loader) {
        this.loader = new java.lang.ref.WeakReference<>(loader);
    }

    static boolean isJdk(String internalName) {
        return io.duroxide.agent.weaving.ClassFileSupertypes.isJdk(internalName);
    }

    /** Remembers the header of the class being transformed (its class file may not be a resource). */
    synchronized void add(ClassReader reader) {
        headers.put(reader.getClassName(), new Header(reader.getClassName(), reader.getAccess(), reader.getSuperName(),
                reader.getInterfaces()));
    }

    /** The header of a type, or null if its class file cannot be found. */
    synchronized Header header(String internalName) {
        Header h = headers.get(internalName);
        if (h == null && !headers.containsKey(internalName)) {
            h = isJdk(internalName) ? jdkHeader(internalName) : read(internalName);
            headers.put(internalName, h);
        }
        return h;
    }

    /** True if {@code type} is {@code target} or one of its (transitive) subtypes; JDK types are never engine subtypes. */
    boolean isSubtypeOf(String type, String target) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            String t = todo.poll();
            if (t.equals(target)) {
                return true;
            }
            if (!seen.add(t) || isJdk(t)) {
                continue;
            }
            Header h = header(t);
            if (h == null) {
                continue;
            }
            if (h.superName() != null) {
                todo.add(h.superName());
            }
            for (String i : h.interfaces()) {
                todo.add(i);
            }
        }
        return false;
    }

    /** The instance methods {@code type} declares, as name + parameter descriptor ("{@code name(Lfoo;I)}"). */
    synchronized Set<String> declaredMethods(String type) {
        Set<String> methods = declaredMethods.get(type);
        if (methods == null) {
            Set<String> found = new HashSet<>();
            byte[] bytes = classFile(type);
            if (bytes != null) {
                new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                        if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE)) == 0) {
                            found.add(signatureKey(name, descriptor));
                        }
                        return null;
                    }
                }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            }
            methods = Set.copyOf(found);
            declaredMethods.put(type, methods);
        }
        return methods;
    }

    /** A method's name and parameter types, without its return type (a covariant override matches). */
    static String signatureKey(String name, String descriptor) {
        return name + descriptor.substring(0, descriptor.indexOf(')') + 1);
    }

    /**
     * The nearest common superclass of two classes, for the frames of a woven method. Throws when a type cannot
     * be read: the class then loads unwoven rather than with frames that might not verify.
     */
    String commonSuperClass(String a, String b) {
        if (a.equals(b)) {
            return a;
        }
        Set<String> chainOfA = new HashSet<>();
        for (String t = a; t != null; t = superClassOf(t)) {
            if (required(t).isInterface()) {
                return "java/lang/Object";
            }
            chainOfA.add(t);
        }
        for (String t = b; t != null; t = superClassOf(t)) {
            if (required(t).isInterface()) {
                return "java/lang/Object";
            }
            if (chainOfA.contains(t)) {
                return t;
            }
        }
        return "java/lang/Object";
    }

    private String superClassOf(String type) {
        return required(type).superName();
    }

    private Header required(String type) {
        Header h = header(type);
        if (h == null) {
            throw new IllegalStateException("class file of " + type.replace('/', '.') + " not found");
        }
        return h;
    }

    private Header jdkHeader(String internalName) {
        try {
            Class<?> c = Class.forName(internalName.replace('/', '.'), false, loader.get());
            Class<?> s = c.getSuperclass();
            Class<?>[] is = c.getInterfaces();
            String[] interfaces = new String[is.length];
            for (int i = 0; i < is.length; i++) {
                interfaces[i] = is[i].getName().replace('.', '/');
            }
            return new Header(internalName, c.getModifiers() | (c.isInterface() ? Opcodes.ACC_INTERFACE : 0),
                    s == null ? null : s.getName().replace('.', '/'), interfaces);
        } catch (Throwable t) {
            return null;
        }
    }

    private Header read(String internalName) {
        byte[] bytes = classFile(internalName);
        if (bytes == null) {
            return null;
        }
        ClassReader r = new ClassReader(bytes);
        return new Header(internalName, r.getAccess(), r.getSuperName(), r.getInterfaces());
    }

    private byte[] classFile(String internalName) {
        ClassLoader l = loader.get();
        if (l == null) {
            return null;
        }
        try (InputStream in = l.getResourceAsStream(internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
