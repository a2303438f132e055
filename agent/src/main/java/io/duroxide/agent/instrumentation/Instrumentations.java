package io.duroxide.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isOverriddenFrom;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.duroxide.agent.AgentConfig;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The four instrumentation units, one per engine area, each installed only when its
 * {@code DUROXIDE_METRICS_*} flag is on (off = no advice woven at all). Advice classes are referenced by
 * name so they are never loaded by the agent's class loader; Byte Buddy reads them from the agent jar
 * and resolves the engine types they mention in the target's class loader.
 */
public final class Instrumentations {
    private Instrumentations() {}

    static final String PKG = "io.duroxide.agent.instrumentation.";
    public static final String DISPATCHER_LOOP = "io.duroxide.runtime.DispatcherLoop";
    public static final String ORCHESTRATION_DISPATCHER = "io.duroxide.runtime.OrchestrationDispatcher";
    public static final String ACTIVITY_INVOKER = "io.duroxide.runtime.ActivityInvoker";
    public static final String PROVIDER = "io.duroxide.provider.Provider";

    /** Names of the units that will be installed, for the start-up line and tests. */
    public static List<String> units(AgentConfig config) {
        List<String> out = new ArrayList<>();
        if (config.orchestration) {
            out.add("orchestration");
        }
        if (config.activity) {
            out.add("activity");
        }
        if (config.provider) {
            out.add("provider");
        }
        if (config.worker) {
            out.add("worker");
        }
        return out;
    }

    public static AgentBuilder apply(AgentBuilder builder, AgentConfig config, boolean bridgeInBootstrap) {
        EngineLoaders loaders = new EngineLoaders(bridgeInBootstrap);
        ClassLoader agentLoader = Instrumentations.class.getClassLoader();
        AgentBuilder b = builder;
        if (config.orchestration) {
            b = orchestration(b, loaders, agentLoader);
        }
        if (config.orchestration || config.worker) {
            b = loopLifecycle(b, loaders, agentLoader);
        }
        if (config.activity) {
            b = activity(b, loaders, agentLoader);
        }
        if (config.provider) {
            b = provider(b, loaders, agentLoader);
        }
        if (config.worker) {
            b = worker(b, loaders, agentLoader);
        }
        return b;
    }

    private static AgentBuilder.Transformer.ForAdvice advice(ClassLoader agentLoader) {
        return new AgentBuilder.Transformer.ForAdvice().include(agentLoader);
    }

    /** Orchestration unit: the dispatcher's turn commit. */
    static AgentBuilder orchestration(AgentBuilder b, EngineLoaders loaders, ClassLoader agentLoader) {
        return b.type(named(ORCHESTRATION_DISPATCHER), loaders)
                .transform(advice(agentLoader).advice(
                        named("commitTurn").and(takesArguments(1))
                                .and(takesArgument(0, named("io.duroxide.runtime.TurnCommit")))
                                .and(not(isAbstract())).and(not(isBridge())),
                        PKG + "CommitTurnAdvice"));
    }

    /** Start/stop of dispatcher loops: worker gauges, and the providers polled for active instances. */
    static AgentBuilder loopLifecycle(AgentBuilder b, EngineLoaders loaders, ClassLoader agentLoader) {
        return b.type(named(DISPATCHER_LOOP), loaders)
                .transform(advice(agentLoader)
                        .advice(named("start").and(takesArguments(0)).and(not(isStatic())), PKG + "LoopStartAdvice")
                        .advice(named("stop").and(takesArguments(1)).and(not(isStatic())), PKG + "LoopStopAdvice"));
    }

    /** Activity unit: every activity attempt. */
    static AgentBuilder activity(AgentBuilder b, EngineLoaders loaders, ClassLoader agentLoader) {
        return b.type(nameStartsWith("io.duroxide.").and(not(isInterface()))
                                .and(named(ACTIVITY_INVOKER).or(hasSuperType(named(ACTIVITY_INVOKER)))), loaders)
                .transform(advice(agentLoader).advice(
                        named("invoke").and(takesArguments(1))
                                .and(takesArgument(0, named("io.duroxide.runtime.ActivityInvocation")))
                                .and(not(isAbstract())).and(not(isBridge())).and(not(isStatic())),
                        PKG + "ActivityInvokeAdvice"));
    }

    /** Provider unit: every implementation of the SPI, in any package (matched through the interface). */
    static AgentBuilder provider(AgentBuilder b, EngineLoaders loaders, ClassLoader agentLoader) {
        ElementMatcher.Junction<MethodDescription> spiMethod = isOverriddenFrom(named(PROVIDER))
                .and(not(isAbstract())).and(not(isBridge())).and(not(isStatic()))
                .and(not(namedOneOf("name", "close", "toString", "hashCode", "equals")));
        return b.type(not(isInterface()).and(hasSuperType(named(PROVIDER))), loaders)
                .transform(advice(agentLoader).advice(spiMethod, PKG + "ProviderAdvice"));
    }

    /** Worker unit: items processed by the dispatcher loops. */
    static AgentBuilder worker(AgentBuilder b, EngineLoaders loaders, ClassLoader agentLoader) {
        return b.type(nameStartsWith("io.duroxide.").and(not(isAbstract()))
                                .and(hasSuperType(named(DISPATCHER_LOOP))), loaders)
                .transform(advice(agentLoader).advice(
                        named("process").and(takesArguments(1)).and(not(isAbstract())).and(not(isBridge()))
                                .and(not(isStatic())),
                        PKG + "ProcessAdvice"));
    }
}
