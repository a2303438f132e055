package io.duroxide.agent.advice;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.bootstrap.ProviderCall;
import net.bytebuddy.asm.Advice;

/** Woven into every implementation of a {@code Provider} SPI method. */
public final class ProviderAdvice {
    private ProviderAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static ProviderCall enter() {
        return Bridge.providerEnter();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Enter ProviderCall call, @Advice.Origin("#m") String method, @Advice.Thrown Throwable thrown) {
        if (call != null) {
            call.method = method;
            call.error = thrown;
            Bridge.providerExit(call);
        }
    }
}
