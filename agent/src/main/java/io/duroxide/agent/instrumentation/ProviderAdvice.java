package io.duroxide.agent.instrumentation;

import io.duroxide.agent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/** Woven into every implementation of a {@code Provider} SPI method. */
public final class ProviderAdvice {
    private ProviderAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Bridge.ProviderCalls enter() {
        return Bridge.providerEnter();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Enter Bridge.ProviderCalls calls, @Advice.Origin("#m") String method, @Advice.Thrown Throwable thrown) {
        Bridge.providerExit(calls, method, thrown);
    }
}
