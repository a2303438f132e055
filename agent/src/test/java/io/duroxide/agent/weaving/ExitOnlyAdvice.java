package io.duroxide.agent.weaving;

import net.bytebuddy.asm.Advice;

/**
 * Advice without {@code @OnMethodEnter}, bound the way {@code ActivityInvokeAdvice} is ({@code @Argument},
 * {@code @Return}, {@code @Thrown}); records into {@link Calls} with start -1 and the argument as {@code self}.
 */
public final class ExitOnlyAdvice {
    private ExitOnlyAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Argument(0) String name, @Advice.Return String returned, @Advice.Thrown Throwable thrown) {
        Calls.exit(-1L, name, "exitOnly", returned, thrown);
    }
}
