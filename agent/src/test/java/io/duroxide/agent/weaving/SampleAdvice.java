package io.duroxide.agent.weaving;

import net.bytebuddy.asm.Advice;

/** Advice for {@link WeaveSample}, with every binding the agent's advice classes use; records into {@link Calls}. */
public final class SampleAdvice {
    private SampleAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter() {
        return Calls.enter();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(
            @Advice.Enter long start,
            @Advice.This Object self,
            @Advice.Origin("#m") String method,
            @Advice.Return Object returned,
            @Advice.Thrown Throwable thrown) {
        Calls.exit(start, self, method, returned == null ? null : String.valueOf(returned), thrown);
    }
}
