package io.duroxide.agent.advice;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.bootstrap.WorkerLoop;
import io.duroxide.observe.DispatcherLoopView;
import net.bytebuddy.asm.Advice;

/** Woven into {@code DispatcherLoop#start()}: registers the worker's gauges and its provider for polling. */
public final class LoopStartAdvice {
    private LoopStartAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This DispatcherLoopView loop) {
        WorkerLoop e = WorkerLoop.begin();
        e.loop = loop;
        e.workerType = loop.workerType();
        e.workerId = loop.workerId();
        e.slots = loop.slots();
        e.provider = loop.provider();
        Bridge.loopStarted(e);
    }
}
