package io.duroxide.agent.advice;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.bootstrap.WorkerLoop;
import io.duroxide.observe.DispatcherLoopView;
import net.bytebuddy.asm.Advice;

/** Woven into {@code DispatcherLoop#stop(Duration)}: removes the worker's gauges. */
public final class LoopStopAdvice {
    private LoopStopAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.This DispatcherLoopView loop) {
        WorkerLoop e = WorkerLoop.begin();
        e.loop = loop;
        e.workerType = loop.workerType();
        e.workerId = loop.workerId();
        Bridge.loopStopped(e);
    }
}
