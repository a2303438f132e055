package io.duroxide.agent.instrumentation;

import io.duroxide.agent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/** Woven into every implementation of a {@code Provider} SPI method. */
public final class ProviderAdvice {
    private ProviderAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@Advice.Local("depth") int[] depth) {
        depth = Bridge.providerDepth();
        return Bridge.providerEnter(depth);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Enter long start, @Advice.Local("depth") int[] depth, @Advice.Origin("#m") String method,
            @Advice.Thrown Throwable thrown) {
        Bridge.providerExit(depth, start, method, thrown);
    }
}
