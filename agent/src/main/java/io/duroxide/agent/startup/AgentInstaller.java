package io.duroxide.agent.startup;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.config.AgentConfig;
import io.duroxide.agent.config.Log;
import io.duroxide.agent.export.MetricsHttpServer;
import io.duroxide.agent.metrics.ActiveInstancesPoller;
import io.duroxide.agent.metrics.ActivityRecorder;
import io.duroxide.agent.metrics.GaugePoller;
import io.duroxide.agent.metrics.Metrics;
import io.duroxide.agent.metrics.OrchestrationRecorder;
import io.duroxide.agent.metrics.ProviderRecorder;
import io.duroxide.agent.metrics.WorkerRecorder;
import io.duroxide.agent.weaving.WeavingTransformer;
import java.lang.instrument.Instrumentation;

/**
 * What the agent's init thread builds once the gate is open (the weaver and the bridge come first, see
 * {@link AgentStartup}): the HTTP endpoint, then, when wanted, the registry, recorders and bridge sinks (the
 * bridge holds woven calls until then and replays them) and the gauge poller. One thread: on a small machine
 * every other one would compete with the application's start-up.
 */
final class AgentInstaller {
    private AgentInstaller() {}

    /**
     * Everything after the weaver: the HTTP endpoint, then registry, recorders and bridge sinks (the bridge holds
     * woven calls until then and replays them) and the poller. With an endpoint the registry is built on demand
     * ({@link RegistryOnDemand}): this thread then parks until the first scrape or the bridge's backlog asks for
     * it. When attached (retransformed classes run woven code at once and nothing is held) or without an endpoint
     * it is built at once. {@code woven} and {@code bridged} are when the weaver (with the application's store woven
     * ahead) and the bridge were ready.
     */
    static void install(AgentConfig config, Instrumentation inst, WeavingTransformer weaving, boolean attached,
            long t0, long woven, long bridged) throws InterruptedException {
        String timings = "weaver at " + (woven - t0) / 1_000_000 + " ms, bridge at " + (bridged - t0) / 1_000_000 + " ms";
        if (!attached && config.httpEnabled) {
            RegistryOnDemand onDemand = new RegistryOnDemand(config.initTimeout.toMillis());
            long httpStart = System.nanoTime();
            MetricsHttpServer server = MetricsHttpServer.start(onDemand, config.host, config.port, config.path, config.httpTimeout);
            if (server != null) {
                Bridge.onBacklog = onDemand;
                long end = System.nanoTime();
                Log.info("metrics " + endpoint(config, server) + " [" + config.categories() + "] ready in " + (end - t0) / 1_000_000
                        + " ms (" + timings + ", http " + (end - httpStart) / 1_000_000
                        + " ms; the registry is built at the first scrape)");
                removeStaleBootstrapJars();
                String askedBy = onDemand.awaitRequest();
                long registryStart = System.nanoTime();
                Metrics m = null;
                try {
                    m = buildRecordersAndOpen(config);
                } finally {
                    onDemand.built(m); // also when it failed: scrapes are then answered 503 at once, not after a wait
                }
                Log.debug("registry built for the " + askedBy + " in " + (System.nanoTime() - registryStart) / 1_000_000 + " ms");
                return;
            }
            timings += ", endpoint failed";
        }
        long registryStart = System.nanoTime();
        Metrics m = buildRecordersAndOpen(config);
        long registryDone = System.nanoTime();
        if (weaving != null && attached) {
            // retransformed classes run woven code at once and no call is held: the sinks come first
            weaving.installAndRetransform(inst);
        }
        String endpoint = "not exported (DUROXIDE_METRICS_HTTP_ENABLED=false)";
        if (config.httpEnabled && attached) {
            endpoint = endpoint(config, MetricsHttpServer.start(m, config.host, config.port, config.path, config.httpTimeout));
        } else if (config.httpEnabled) {
            endpoint = "not exported";
        }
        removeStaleBootstrapJars();
        long end = System.nanoTime();
        Log.info("metrics " + endpoint + " [" + config.categories() + "] ready in " + (end - t0) / 1_000_000 + " ms (" + timings
                + "; then registry " + (registryDone - registryStart) / 1_000_000 + " ms, http " + (end - registryDone) / 1_000_000
                + " ms)");
    }

    /**
     * The endpoint's URL, also published as the system property {@code duroxide.metrics.url}: the port actually
     * bound (port 0, or one given as an agent argument) is then known to code in the application's JVM.
     */
    private static String endpoint(AgentConfig config, MetricsHttpServer server) {
        if (server == null) {
            return "not exported";
        }
        String url = MetricsHttpServer.url(config.host, server.port(), config.path);
        System.setProperty("duroxide.metrics.url", url);
        return url;
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

    /**
     * Registry and recorders, installed as the bridge's sinks; the held calls are replayed (so the loops and stores
     * they announce are known) and the poller has polled once, so the scrape that asked for the registry has the
     * gauges too.
     */
    private static Metrics buildRecordersAndOpen(AgentConfig config) {
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
        Bridge.open();
        if (workers != null || active != null) {
            GaugePoller poller = new GaugePoller(config.pollInterval, workers, active);
            poller.start();
            try {
                poller.awaitFirstPoll(config.initTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return m;
    }
}
