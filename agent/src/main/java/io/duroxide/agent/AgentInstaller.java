package io.duroxide.agent;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.export.MetricsHttpServer;
import io.duroxide.agent.instrumentation.Instrumentations;
import io.duroxide.agent.metrics.ActiveInstancesPoller;
import io.duroxide.agent.metrics.ActivityRecorder;
import io.duroxide.agent.metrics.GaugePoller;
import io.duroxide.agent.metrics.Metrics;
import io.duroxide.agent.metrics.OrchestrationRecorder;
import io.duroxide.agent.metrics.ProviderRecorder;
import io.duroxide.agent.metrics.WorkerRecorder;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;

/** Builds the agent on its init thread: registry, recorders, bridge sinks, Byte Buddy, HTTP endpoint, poller. */
final class AgentInstaller {
    private AgentInstaller() {}

    static volatile Metrics metrics;

    static ClassFileTransformer install(AgentConfig config, Instrumentation inst, AgentStartup.Gate gate, boolean attached,
            long t0, long injected) {
        Metrics m = new Metrics(config);
        metrics = m;
        long registryDone = System.nanoTime();

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

        ClassFileTransformer transformer = null;
        if (!Instrumentations.units(config).isEmpty()) {
            AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                    .disableClassFormatChanges()
                    .with(AgentBuilder.PoolStrategy.Default.FAST)
                    .with(new Listener())
                    .ignore(any(), isBootstrapClassLoader())
                    .or(nameStartsWith("java.").or(nameStartsWith("javax.")).or(nameStartsWith("jdk."))
                            .or(nameStartsWith("sun.")).or(nameStartsWith("com.sun."))
                            .or(nameStartsWith("io.duroxide.agent.")).or(nameStartsWith("net.bytebuddy."))
                            .or(nameStartsWith("kotlin.")).or(nameStartsWith("scala."))
                            .or(nameStartsWith("org.junit.")).or(isSynthetic()));
            builder = Instrumentations.apply(builder, config, AgentStartup.bridgeInBootstrap);
            if (attached) {
                builder.with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION).installOn(inst);
            } else {
                transformer = builder.makeRaw();
                gate.ready(transformer);
            }
        }
        long bytebuddyDone = System.nanoTime();

        String endpoint = "not exported (DUROXIDE_METRICS_HTTP_ENABLED=false)";
        if (config.httpEnabled) {
            MetricsHttpServer server = MetricsHttpServer.start(m, config.host, config.port, config.path);
            endpoint = server == null ? "not exported" : "http://" + config.host + ":" + server.port() + config.path;
        }
        if (config.worker || config.orchestration) {
            new GaugePoller(config.pollInterval, workers, active).start();
        }
        long end = System.nanoTime();
        Log.info("metrics " + endpoint + " [" + config.categories() + "] ready in " + (end - t0) / 1_000_000
                + " ms (premain " + (injected - t0) / 1_000_000 + " ms, registry " + (registryDone - injected) / 1_000_000
                + " ms, byte-buddy " + (bytebuddyDone - registryDone) / 1_000_000 + " ms, http " + (end - bytebuddyDone) / 1_000_000
                + " ms)");
        return transformer;
    }

    /** Logs each failed transformation once; lists transformed engine types in debug mode. */
    static final class Listener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            Log.debug("instrumented " + type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            Log.warnOnce("weave:" + typeName, "could not instrument " + typeName + " (" + error
                    + "); it runs unmeasured");
        }
    }
}
