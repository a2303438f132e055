package io.duroxide.agent.instrumentation;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.runtime.DispatcherLoop;
import net.bytebuddy.asm.Advice;

/** Woven into {@code process(item)} of every DispatcherLoop: one call = one item, its duration = one slot busy. */
public final class ProcessAdvice {
    private ProcessAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter() {
        return System.nanoTime();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Enter long start, @Advice.This DispatcherLoop<?> loop) {
        Bridge.processed(start, loop, loop.workerType(), loop.workerId(), loop.slots());
    }
}
