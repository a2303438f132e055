package io.duroxide.agent;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.export.MetricsHttpServer;
import io.duroxide.agent.instrumentation.Instrumentations;
import io.duroxide.agent.instrumentation.WeavingTransformer;
import io.duroxide.agent.metrics.ActiveInstancesPoller;
import io.duroxide.agent.metrics.ActivityRecorder;
import io.duroxide.agent.metrics.GaugePoller;
import io.duroxide.agent.metrics.Metrics;
import io.duroxide.agent.metrics.OrchestrationRecorder;
import io.duroxide.agent.metrics.ProviderRecorder;
import io.duroxide.agent.metrics.WorkerRecorder;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;

/** Builds the agent on its init thread: registry, recorders, bridge sinks, the weaving transformer, HTTP endpoint, poller. */
final class AgentInstaller {
    private AgentInstaller() {}

    static volatile Metrics metrics;

    static ClassFileTransformer install(AgentConfig config, Instrumentation inst, AgentStartup.Gate gate, boolean attached,
            long t0, long injected) {
        // The registry and recorders are built on a second thread while this one builds Byte Buddy's
        // transformer (both are mostly class loading; the machine has at least two cores to offer while
        // the first engine class waits at the gate). Sinks are installed before the gate opens, so no
        // woven call is ever dropped.
        final long registryStart = System.nanoTime();
        final Metrics[] built = new Metrics[1];
        final long[] registryNanos = new long[1];
        final Throwable[] failure = new Throwable[1];
        Thread registryThread = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    built[0] = buildRecorders(config);
                } catch (Throwable t) {
                    failure[0] = t;
                }
                registryNanos[0] = System.nanoTime() - registryStart;
            }
        }, "duroxide-agent-init-registry");
        registryThread.setDaemon(true);
        registryThread.setContextClassLoader(null);
        registryThread.start();

        ClassFileTransformer transformer = null;
        java.util.List<Instrumentations.Unit> units = Instrumentations.enabled(config);
        if (!units.isEmpty()) {
            // The advice is inlined and class formats never change, so Byte Buddy's Nexus (for loaded-type
            // initializers) is never used; shading rewrites the name to the relocated package's property,
            // which only this agent's Byte Buddy reads. (Not set, measured: "net.bytebuddy.generate", which
            // would replace java.lang.reflect.Proxy in Byte Buddy's JDK accessors; its generated ClassDesc
            // accessor fails verification on JDK 17 and the provider then cannot be woven.)
            if (System.getProperty("net.bytebuddy.nexus.disabled") == null) {
                System.setProperty("net.bytebuddy.nexus.disabled", "true");
            }
            WeavingTransformer weaving = new WeavingTransformer(units, AgentStartup.bridgeInBootstrap);
            Log.debug("byte-buddy: transformer " + (System.nanoTime() - registryStart) / 1_000_000 + " ms");
            awaitRecorders(registryThread, failure);
            if (attached) {
                weaving.installAndRetransform(inst);
            } else {
                transformer = weaving;
                gate.ready(transformer);
            }
        } else {
            awaitRecorders(registryThread, failure);
        }
        long bytebuddyDone = System.nanoTime();
        Metrics m = built[0];
        metrics = m;
        long registryDone = registryStart + registryNanos[0];

        String endpoint = "not exported (DUROXIDE_METRICS_HTTP_ENABLED=false)";
        if (config.httpEnabled) {
            MetricsHttpServer server = MetricsHttpServer.start(m, config.host, config.port, config.path);
            endpoint = server == null ? "not exported" : "http://" + config.host + ":" + server.port() + config.path;
        }
        if (config.worker || config.orchestration) {
            new GaugePoller(config.pollInterval, (WorkerRecorder) pollerParts[0], (ActiveInstancesPoller) pollerParts[1]).start();
        }
        removeStaleBootstrapJars();
        long end = System.nanoTime();
        Log.info("metrics " + endpoint + " [" + config.categories() + "] ready in " + (end - t0) / 1_000_000
                + " ms (premain " + (injected - t0) / 1_000_000 + " ms; in parallel: registry " + (registryDone - registryStart) / 1_000_000
                + " ms, byte-buddy " + (bytebuddyDone - registryStart) / 1_000_000 + " ms; http " + (end - bytebuddyDone) / 1_000_000
                + " ms)");
        return transformer;
    }

    /**
     * Bridge jars of JVMs that were killed (deleteOnExit never ran) are removed once they are a day old.
     * A JVM still running keeps its open file, so deleting it is harmless on POSIX and refused on Windows.
     */
    private static void removeStaleBootstrapJars() {
        try (java.nio.file.DirectoryStream<java.nio.file.Path> jars = java.nio.file.Files.newDirectoryStream(
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), "duroxide-agent-bootstrap-*.jar")) {
            long dayAgo = System.currentTimeMillis() - 24L * 3600 * 1000;
            for (java.nio.file.Path jar : jars) {
                try {
                    if (java.nio.file.Files.getLastModifiedTime(jar).toMillis() < dayAgo) {
                        java.nio.file.Files.deleteIfExists(jar);
                    }
                } catch (java.io.IOException | RuntimeException ignored) {
                    // in use or not ours to delete
                }
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // no temp dir listing: nothing to clean
        }
    }

    private static void awaitRecorders(Thread registryThread, Throwable[] failure) {
        try {
            registryThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the registry");
        }
        if (failure[0] != null) {
            throw new IllegalStateException("metrics registry failed: " + failure[0], failure[0]);
        }
    }

    /** Registry and recorders; the sinks are installed in the bridge here. */
    private static Metrics buildRecorders(AgentConfig config) {
        Metrics m = new Metrics(config);
        ActiveInstancesPoller active = config.orchestration ? new ActiveInstancesPoller(m) : null;
        WorkerRecorder workers = config.worker ? new WorkerRecorder(m) : null;
        if (config.orchestration) {
            Bridge.orchestration = new OrchestrationRecorder(m, active);
        }
        if (config.activity) {
            Bridge.activity = new ActivityRecorder(m);
        }
        if (config.provider) {
            Bridge.provider = new ProviderRecorder(m);
        }
        if (workers != null) {
            Bridge.worker = workers;
        }
        pollerParts = new Object[] {workers, active};
        return m;
    }

    private static volatile Object[] pollerParts;
}
