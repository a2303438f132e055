package io.duroxide.agent.weaving;

import net.bytebuddy.asm.Advice;

/** Advice that fails on enter and on exit: with {@code suppress}, the woven method must not notice. */
public final class ThrowingAdvice {
    private ThrowingAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@Advice.Argument(0) String name) {
        if (name.isEmpty()) {
            throw new IllegalStateException("enter fails");
        }
        return name.length();
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Enter long length) {
        Calls.exit(length, null, "throwing", null, null);
        throw new IllegalStateException("exit fails");
    }
}
