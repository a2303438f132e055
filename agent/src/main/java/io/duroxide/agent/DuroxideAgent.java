package io.duroxide.agent;

import io.duroxide.agent.config.AgentConfig;
import io.duroxide.agent.config.Log;
import io.duroxide.agent.startup.AgentStartup;
import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry point. Deliberately tiny: it reads the configuration, injects the
 * bridge into the bootstrap loader, registers the lazy transformer and starts the daemon thread that
 * builds everything else (metrics registry, weaver, HTTP endpoint). Nothing here may abort the
 * JVM: every failure is one line on stderr and the application runs without metrics.
 */
public final class DuroxideAgent {
    private DuroxideAgent() {}

    /** A second -javaagent of this jar (or a later attach) must not weave and count everything twice. */
    private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    /** Dynamic attach: classes already loaded are retransformed. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            long t0 = System.nanoTime();
            if (!STARTED.compareAndSet(false, true)) {
                Log.warn("already running in this JVM; the second start is ignored");
                return;
            }
            AgentConfig config = AgentConfig.load(args);
            if (!config.enabled) {
                Log.info("disabled by DUROXIDE_METRICS_ENABLED=false");
                return;
            }
            AgentStartup.begin(config, inst, attached, t0);
        } catch (Throwable t) {
            try {
                Log.warn("could not start, the application runs without metrics: " + t);
            } catch (Throwable ignored) {
                // nothing left to do
            }
        }
    }
}
