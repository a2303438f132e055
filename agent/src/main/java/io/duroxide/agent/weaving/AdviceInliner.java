package io.duroxide.agent.weaving;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Inlines an advice class into a method with Byte Buddy's bundled ASM, the way Byte Buddy's {@code Advice}
 * does, for the subset of {@code Advice} the agent's advice classes use: a static {@code @OnMethodEnter}
 * whose return value is the exit's {@code @Enter}; a static {@code @OnMethodExit}, optionally also on
 * exceptions ({@code onThrowable}); {@code suppress} (an exception of the advice is swallowed, an enter value
 * is then its type's default); parameters bound by {@code @Argument(n)}, {@code @This}, {@code @Enter},
 * {@code @Return}, {@code @Thrown} and {@code @Origin("#m")}. Anything else in an advice class is rejected when
 * it is parsed ({@link IllegalStateException}), so the class it was meant for loads unwoven and is logged.
 *
 * <p>Why not {@code Advice} itself: its first use loads about 700 Byte Buddy classes and runs them interpreted
 * while the application's first engine class waits at the gate; this needs the ~30 ASM classes of the reader
 * and writer. The advice classes stay the readable source of what is woven, and their annotations keep
 * {@code Advice}'s meaning.
 *
 * <p>The woven method is laid out as
 * <pre>
 *   [enter advice, its value stored in a new local]
 * start:
 *   original body; every return stores its value in a new local and jumps to "returned"
 * end:
 * handler (onThrowable only, covers start..end, registered after the method's own handlers):
 *   store the exception, the return local gets its default, jump to "exit"
 * returned: (onThrowable only) the exception local is null
 * exit:
 *   [exit advice]
 *   (onThrowable only) rethrow the exception if there was one
 *   return the stored value
 * </pre>
 * New locals go above the method's own (its max_locals), so the original code is copied unchanged; frames
 * are computed by the class writer.
 */
final class AdviceInliner {
    private AdviceInliner() {}

    private static final String ADVICE = "net/bytebuddy/asm/Advice$";

    enum Kind { ENTER, ARGUMENT, THIS, RETURN, THROWN, ORIGIN }

    /** What one advice parameter is bound to; {@code value} is the argument index or the origin pattern. */
    record Binding(Kind kind, Object value) {}

    /** One advice method, as parsed from the advice class file. */
    static final class AdviceMethod {
        final String name;
        final String descriptor;
        final Type returnType;
        final Type[] parameters;
        final Binding[] bindings;
        int maxLocals;
        String suppress;
        String onThrowable;

        AdviceMethod(String name, String descriptor) {
            this.name = name;
            this.descriptor = descriptor;
            this.returnType = Type.getReturnType(descriptor);
            this.parameters = Type.getArgumentTypes(descriptor);
            this.bindings = new Binding[parameters.length];
        }
    }

    /** An advice class, parsed once per agent (its bytes are re-read for every method it is inlined into). */
    static final class AdviceClass {
        final String name;
        final byte[] bytes;
        AdviceMethod enter;
        AdviceMethod exit;

        private AdviceClass(String name, byte[] bytes) {
            this.name = name;
            this.bytes = bytes;
        }

        /** Locals the inlined advice needs above the method's own (the layout of {@link Weave}). */
        int localsFor(Type methodReturn) {
            return (enter == null ? 0 : enter.returnType.getSize() + enter.maxLocals) + methodReturn.getSize() + 1
                    + (exit == null ? 0 : exit.maxLocals);
        }

        static AdviceClass parse(String name, byte[] bytes) {
            AdviceClass advice = new AdviceClass(name, bytes);
            List<AdviceMethod> found = new ArrayList<>();
            new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String method, String descriptor, String signature, String[] exceptions) {
                    if ((access & Opcodes.ACC_STATIC) == 0) {
                        return null;
                    }
                    return new AdviceMethodReader(advice, new AdviceMethod(method, descriptor), found);
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            for (AdviceMethod m : found) {
                for (int i = 0; i < m.bindings.length; i++) {
                    if (m.bindings[i] == null) {
                        throw new IllegalStateException(name + "." + m.name + ": parameter " + i + " has no supported binding");
                    }
                }
            }
            if (advice.enter != null && advice.enter.bindings.length > 0) {
                for (Binding b : advice.enter.bindings) {
                    if (b.kind() != Kind.ARGUMENT && b.kind() != Kind.THIS && b.kind() != Kind.ORIGIN) {
                        throw new IllegalStateException(name + ".enter: " + b.kind() + " is not available on enter");
                    }
                }
            }
            return advice;
        }
    }

    /** Reads an advice method's annotations, parameter bindings and max_locals. */
    private static final class AdviceMethodReader extends MethodVisitor {
        private final AdviceClass advice;
        private final AdviceMethod method;
        private final List<AdviceMethod> found;
        private boolean enter;
        private boolean exit;

        AdviceMethodReader(AdviceClass advice, AdviceMethod method, List<AdviceMethod> found) {
            super(Opcodes.ASM9);
            this.advice = advice;
            this.method = method;
            this.found = found;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            enter |= descriptor.endsWith(ADVICE + "OnMethodEnter;");
            exit |= descriptor.endsWith(ADVICE + "OnMethodExit;");
            return new AnnotationVisitor(Opcodes.ASM9) {
                @Override
                public void visit(String name, Object value) {
                    if (value instanceof Type) {
                        String type = ((Type) value).getInternalName();
                        if (name.equals("suppress")) {
                            method.suppress = type;
                        } else if (name.equals("onThrowable")) {
                            method.onThrowable = type;
                        }
                    }
                }
            };
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String descriptor, boolean visible) {
            Kind kind = descriptor.endsWith(ADVICE + "Enter;") ? Kind.ENTER
                    : descriptor.endsWith(ADVICE + "Argument;") ? Kind.ARGUMENT
                    : descriptor.endsWith(ADVICE + "This;") ? Kind.THIS
                    : descriptor.endsWith(ADVICE + "Return;") ? Kind.RETURN
                    : descriptor.endsWith(ADVICE + "Thrown;") ? Kind.THROWN
                    : descriptor.endsWith(ADVICE + "Origin;") ? Kind.ORIGIN
                    : null;
            if (kind == null) {
                return null;
            }
            method.bindings[parameter] = new Binding(kind, kind == Kind.ORIGIN ? "" : null);
            return new AnnotationVisitor(Opcodes.ASM9) {
                @Override
                public void visit(String name, Object value) {
                    if (name.equals("value")) {
                        method.bindings[parameter] = new Binding(kind, value);
                    }
                }
            };
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            method.maxLocals = maxLocals;
        }

        @Override
        public void visitEnd() {
            if (enter) {
                advice.enter = method;
            } else if (exit) {
                advice.exit = method;
            } else {
                return;
            }
            found.add(method);
            for (Binding b : method.bindings) {
                if (b != null && b.kind() == Kind.ORIGIN && !"#m".equals(b.value())) {
                    throw new IllegalStateException(advice.name + "." + method.name + ": only @Origin(\"#m\") is supported");
                }
            }
        }
    }

    /** Weaves one advice class into one method; {@code firstLocal} is the first slot free for the advice's locals. */
    static final class Weave extends MethodVisitor {
        private final AdviceClass advice;
        private final String methodName;
        private final boolean isStatic;
        private final Type[] arguments;
        private final Type returnType;
        private final int enterSlot;
        private final int returnSlot;
        private final int thrownSlot;
        private final int enterLocals;
        private final int exitLocals;
        private final boolean handlesThrowable;
        private final Label start = new Label();
        private final Label end = new Label();
        private final Label returned = new Label();

        Weave(MethodVisitor next, int access, String name, String descriptor, AdviceClass advice, int firstLocal) {
            super(Opcodes.ASM9, next);
            this.advice = advice;
            this.methodName = name;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            this.arguments = Type.getArgumentTypes(descriptor);
            this.returnType = Type.getReturnType(descriptor);
            int slot = firstLocal;
            enterSlot = slot;
            slot += advice.enter == null ? 0 : advice.enter.returnType.getSize();
            enterLocals = slot;
            slot += advice.enter == null ? 0 : advice.enter.maxLocals;
            returnSlot = slot;
            slot += returnType.getSize();
            thrownSlot = slot;
            slot += 1;
            exitLocals = slot;
            handlesThrowable = advice.exit != null && advice.exit.onThrowable != null;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (advice.enter != null) {
                inline(advice.enter, enterLocals);
            }
            super.visitLabel(start);
        }

        @Override
        public void visitInsn(int opcode) {
            if (advice.exit != null && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                if (returnType.getSort() != Type.VOID) {
                    super.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnSlot);
                }
                super.visitJumpInsn(Opcodes.GOTO, returned);
                return;
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (advice.exit != null) {
                Label exit = new Label();
                super.visitLabel(end);
                Label handler = new Label();
                if (handlesThrowable) {
                    super.visitLabel(handler);
                    super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
                    storeDefault(returnType, returnSlot);
                    super.visitJumpInsn(Opcodes.GOTO, exit);
                }
                super.visitLabel(returned);
                if (handlesThrowable) {
                    super.visitInsn(Opcodes.ACONST_NULL);
                    super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
                }
                super.visitLabel(exit);
                inline(advice.exit, exitLocals);
                if (handlesThrowable) {
                    Label normal = new Label();
                    super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
                    super.visitJumpInsn(Opcodes.IFNULL, normal);
                    super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
                    super.visitInsn(Opcodes.ATHROW);
                    super.visitLabel(normal);
                }
                if (returnType.getSort() != Type.VOID) {
                    super.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), returnSlot);
                }
                super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
                if (handlesThrowable) {
                    // registered last: it encloses the method's own handlers, which must keep precedence
                    super.visitTryCatchBlock(start, end, handler, advice.exit.onThrowable);
                }
            }
            super.visitMaxs(maxStack, maxLocals);
        }

        /** Copies one advice method's code here: its parameters bound first, its locals moved to {@code base}. */
        private void inline(AdviceMethod method, int base) {
            Label suppressStart = new Label();
            Label done = new Label();
            Label suppressHandler = new Label();
            if (method.suppress != null) {
                super.visitTryCatchBlock(suppressStart, done, suppressHandler, method.suppress);
            }
            super.visitLabel(suppressStart);
            int slot = base;
            for (int i = 0; i < method.parameters.length; i++) {
                Type p = method.parameters[i];
                load(method.bindings[i], p);
                super.visitVarInsn(p.getOpcode(Opcodes.ISTORE), slot);
                slot += p.getSize();
            }
            AdviceMethod enterMethod = advice.enter;
            boolean isEnter = method == enterMethod;
            MethodVisitor target = this.mv;
            new ClassReader(advice.bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    if (!name.equals(method.name) || !descriptor.equals(method.descriptor)) {
                        return null;
                    }
                    return new BodyCopier(target, base, method.returnType, isEnter ? enterSlot : -1, done);
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            super.visitLabel(done);
            if (method.suppress != null) {
                Label after = new Label();
                super.visitJumpInsn(Opcodes.GOTO, after);
                super.visitLabel(suppressHandler);
                super.visitInsn(Opcodes.POP);
                if (isEnter) {
                    storeDefault(method.returnType, enterSlot);
                }
                super.visitLabel(after);
            }
        }

        private void load(Binding binding, Type type) {
            switch (binding.kind()) {
                case ENTER:
                    super.visitVarInsn(advice.enter.returnType.getOpcode(Opcodes.ILOAD), enterSlot);
                    break;
                case ARGUMENT: {
                    int index = (Integer) binding.value();
                    if (index >= arguments.length) {
                        throw new IllegalStateException(advice.name + ": @Argument(" + index + ") of " + methodName);
                    }
                    int slot = isStatic ? 0 : 1;
                    for (int i = 0; i < index; i++) {
                        slot += arguments[i].getSize();
                    }
                    super.visitVarInsn(arguments[index].getOpcode(Opcodes.ILOAD), slot);
                    castIfNeeded(arguments[index], type);
                    break;
                }
                case THIS:
                    if (isStatic) {
                        throw new IllegalStateException(advice.name + ": @This in static " + methodName);
                    }
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    break;
                case RETURN:
                    if (returnType.getSort() == Type.VOID) {
                        pushDefault(type);
                    } else {
                        super.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), returnSlot);
                        castIfNeeded(returnType, type);
                    }
                    break;
                case THROWN:
                    if (handlesThrowable) {
                        super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
                    } else {
                        super.visitInsn(Opcodes.ACONST_NULL);
                    }
                    break;
                case ORIGIN:
                    super.visitLdcInsn(methodName);
                    break;
                default:
                    throw new IllegalStateException(binding.toString());
            }
        }

        /** Converts the value on the stack from {@code actual} to the advice parameter's {@code expected} type. */
        private void castIfNeeded(Type actual, Type expected) {
            boolean reference = expected.getSort() == Type.OBJECT || expected.getSort() == Type.ARRAY;
            boolean primitive = actual.getSort() < Type.ARRAY;
            if (reference && primitive) {
                box(actual);
                actual = Type.getObjectType("java/lang/Object");
            }
            if (reference && !expected.equals(actual) && !expected.getInternalName().equals("java/lang/Object")) {
                super.visitTypeInsn(Opcodes.CHECKCAST, expected.getInternalName());
            } else if (!reference && expected.getSort() != actual.getSort()) {
                throw new IllegalStateException(advice.name + ": cannot bind " + actual + " to " + expected);
            }
        }

        private void box(Type primitive) {
            String owner;
            switch (primitive.getSort()) {
                case Type.BOOLEAN: owner = "java/lang/Boolean"; break;
                case Type.CHAR: owner = "java/lang/Character"; break;
                case Type.BYTE: owner = "java/lang/Byte"; break;
                case Type.SHORT: owner = "java/lang/Short"; break;
                case Type.INT: owner = "java/lang/Integer"; break;
                case Type.FLOAT: owner = "java/lang/Float"; break;
                case Type.LONG: owner = "java/lang/Long"; break;
                case Type.DOUBLE: owner = "java/lang/Double"; break;
                default: throw new IllegalStateException("not a primitive: " + primitive);
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, "valueOf",
                    Type.getMethodDescriptor(Type.getObjectType(owner), primitive), false);
        }

        private void pushDefault(Type type) {
            switch (type.getSort()) {
                case Type.VOID:
                    break;
                case Type.LONG:
                    super.visitInsn(Opcodes.LCONST_0);
                    break;
                case Type.FLOAT:
                    super.visitInsn(Opcodes.FCONST_0);
                    break;
                case Type.DOUBLE:
                    super.visitInsn(Opcodes.DCONST_0);
                    break;
                case Type.OBJECT:
                case Type.ARRAY:
                    super.visitInsn(Opcodes.ACONST_NULL);
                    break;
                default:
                    super.visitInsn(Opcodes.ICONST_0);
            }
        }

        private void storeDefault(Type type, int slot) {
            if (type.getSort() != Type.VOID) {
                pushDefault(type);
                super.visitVarInsn(type.getOpcode(Opcodes.ISTORE), slot);
            }
        }
    }

    /**
     * Forwards an advice method's code into the woven method: locals moved up by {@code base}, a return turned
     * into a jump to {@code done} (an enter value is stored first); line numbers, frames and maxima dropped.
     */
    private static final class BodyCopier extends MethodVisitor {
        private final int base;
        private final Type returnType;
        private final int resultSlot;
        private final Label done;

        BodyCopier(MethodVisitor target, int base, Type returnType, int resultSlot, Label done) {
            super(Opcodes.ASM9, target);
            this.base = base;
            this.returnType = returnType;
            this.resultSlot = resultSlot;
            this.done = done;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return null;
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String descriptor, boolean visible) {
            return null;
        }

        @Override
        public AnnotationVisitor visitAnnotationDefault() {
            return null;
        }

        @Override
        public void visitAnnotableParameterCount(int parameterCount, boolean visible) {
            // the advice method's, not the woven one's
        }

        @Override
        public void visitParameter(String name, int access) {
            // the advice method's, not the woven one's
        }

        @Override
        public void visitAttribute(net.bytebuddy.jar.asm.Attribute attribute) {
            // the advice method's, not the woven one's
        }

        @Override
        public void visitCode() {
            // the woven method's code has begun already
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            super.visitVarInsn(opcode, base + var);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            super.visitIincInsn(base + var, increment);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                if (returnType.getSort() != Type.VOID) {
                    if (resultSlot >= 0) {
                        super.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), resultSlot);
                    } else {
                        super.visitInsn(returnType.getSize() == 2 ? Opcodes.POP2 : Opcodes.POP);
                    }
                }
                super.visitJumpInsn(Opcodes.GOTO, done);
                return;
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            // frames are computed for the woven method
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            // computed for the woven method
        }

        @Override
        public void visitEnd() {
            // the woven method continues
        }
    }
}
