package io.duroxide.agent.advice;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.bootstrap.WorkerLoop;
import io.duroxide.observe.DispatcherLoopView;
import net.bytebuddy.asm.Advice;

/** Woven into {@code process(item)} of every DispatcherLoop: one call = one item, its duration = one slot busy. */
public final class ProcessAdvice {
    private ProcessAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter() {
        return System.nanoTime();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Enter long start, @Advice.This DispatcherLoopView loop) {
        WorkerLoop e = WorkerLoop.begin();
        e.itemNanos = System.nanoTime() - start;
        e.loop = loop;
        e.workerType = loop.workerType();
        e.workerId = loop.workerId();
        e.slots = loop.slots();
        Bridge.itemProcessed(e);
    }
}
