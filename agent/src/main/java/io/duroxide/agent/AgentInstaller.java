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

/**
 * Builds the agent on its init thread, in the order the application needs it: the weaving transformer (the
 * gate opens as soon as it exists), the engine's own classes woven ahead of their loading, then the registry,
 * recorders and bridge sinks (the bridge holds woven calls until then and replays them), the HTTP endpoint and
 * the poller. One thread: on a small machine every other one would compete with the application's start-up.
 */
final class AgentInstaller {
    private AgentInstaller() {}

    static volatile Metrics metrics;

    static ClassFileTransformer install(AgentConfig config, Instrumentation inst, AgentStartup.Gate gate, boolean attached,
            long t0, long bridged) {
        long start = System.nanoTime();
        java.util.List<Instrumentations.Unit> units = Instrumentations.enabled(config);
        WeavingTransformer weaving = units.isEmpty() ? null : new WeavingTransformer(units, AgentStartup.bridgeInBootstrap);
        if (!attached) {
            // the engine's classes wait at the gate for the weaver only
            gate.ready(weaving);
            if (weaving != null) {
                Log.debug("weaver ready after " + (System.nanoTime() - start) / 1_000_000 + " ms");
                weaving.prepare(ClassLoader.getSystemClassLoader(), Instrumentations.ENGINE_CLASSES);
            }
        }
        long weaverDone = System.nanoTime();

        Metrics m = buildRecorders(config);
        metrics = m;
        Bridge.open();
        long registryDone = System.nanoTime();
        if (weaving != null && attached) {
            // retransformed classes run woven code at once and no call is held: the sinks come first
            weaving.installAndRetransform(inst);
        }

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
                + " ms (bridge at " + (bridged - t0) / 1_000_000 + " ms; then weaver " + (weaverDone - start) / 1_000_000
                + " ms, registry " + (registryDone - weaverDone) / 1_000_000 + " ms, http " + (end - registryDone) / 1_000_000
                + " ms)");
        return weaving;
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
