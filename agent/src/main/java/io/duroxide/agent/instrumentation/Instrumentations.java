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
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The four instrumentation units, one per engine area, each installed only when its
 * {@code DUROXIDE_METRICS_*} flag is on (off = no advice woven at all). Advice classes are referenced by
 * name so they are never loaded by the agent's class loader; {@link WeavingTransformer} reads them from the
 * agent jar and resolves the engine types they mention in the target's class loader.
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

    /**
     * One instrumentation unit: which types it weaves and which advice goes on which of their methods.
     * Advice classes are named, never loaded here: they are read from the agent jar when a type is woven.
     */
    public record Unit(String name, ElementMatcher<TypeDescription> types, List<MethodAdvice> advice) {}

    /** An advice class (by name) for the methods that {@code methods} matches. */
    public record MethodAdvice(ElementMatcher<? super MethodDescription> methods, String adviceClass) {}

    /** The units the configuration switches on; a unit whose flag is off weaves nothing at all. */
    public static List<Unit> enabled(AgentConfig config) {
        List<Unit> out = new ArrayList<>();
        if (config.orchestration) {
            out.add(orchestration());
        }
        if (config.orchestration || config.worker) {
            out.add(loopLifecycle());
        }
        if (config.activity) {
            out.add(activity());
        }
        if (config.provider) {
            out.add(provider());
        }
        if (config.worker) {
            out.add(worker());
        }
        return out;
    }

    /** Orchestration unit: the dispatcher's turn commit. */
    static Unit orchestration() {
        return new Unit("orchestration", named(ORCHESTRATION_DISPATCHER), List.of(new MethodAdvice(
                named("commitTurn").and(takesArguments(1))
                        .and(takesArgument(0, named("io.duroxide.runtime.TurnCommit")))
                        .and(not(isAbstract())).and(not(isBridge())),
                PKG + "CommitTurnAdvice")));
    }

    /** Start/stop of dispatcher loops: worker gauges, and the providers polled for active instances. */
    static Unit loopLifecycle() {
        return new Unit("loop-lifecycle", named(DISPATCHER_LOOP), List.of(
                new MethodAdvice(named("start").and(takesArguments(0)).and(not(isStatic())), PKG + "LoopStartAdvice"),
                new MethodAdvice(named("stop").and(takesArguments(1)).and(not(isStatic())), PKG + "LoopStopAdvice")));
    }

    /** Activity unit: every activity attempt. */
    static Unit activity() {
        return new Unit("activity", nameStartsWith("io.duroxide.").and(not(isInterface()))
                        .and(named(ACTIVITY_INVOKER).or(hasSuperType(named(ACTIVITY_INVOKER)))),
                List.of(new MethodAdvice(
                        named("invoke").and(takesArguments(1))
                                .and(takesArgument(0, named("io.duroxide.runtime.ActivityInvocation")))
                                .and(not(isAbstract())).and(not(isBridge())).and(not(isStatic())),
                        PKG + "ActivityInvokeAdvice")));
    }

    /** Provider unit: every implementation of the SPI, in any package (matched through the interface). */
    static Unit provider() {
        ElementMatcher.Junction<MethodDescription> spiMethod = isOverriddenFrom(named(PROVIDER))
                .and(not(isAbstract())).and(not(isBridge())).and(not(isStatic()))
                .and(not(namedOneOf("name", "close", "toString", "hashCode", "equals")));
        return new Unit("provider", not(isInterface()).and(hasSuperType(named(PROVIDER))),
                List.of(new MethodAdvice(spiMethod, PKG + "ProviderAdvice")));
    }

    /** Worker unit: items processed by the dispatcher loops. */
    static Unit worker() {
        return new Unit("worker", nameStartsWith("io.duroxide.").and(not(isAbstract()))
                        .and(hasSuperType(named(DISPATCHER_LOOP))),
                List.of(new MethodAdvice(
                        named("process").and(takesArguments(1)).and(not(isAbstract())).and(not(isBridge()))
                                .and(not(isStatic())),
                        PKG + "ProcessAdvice")));
    }
}
