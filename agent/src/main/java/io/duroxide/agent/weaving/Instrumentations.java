package io.duroxide.agent.weaving;

import io.duroxide.agent.config.AgentConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The four instrumentation units, one per engine area, each installed only when its
 * {@code DUROXIDE_METRICS_*} flag is on (off = no advice woven at all). Advice classes are referenced by
 * name so they are never loaded by the agent's class loader; {@link WeavingTransformer} reads them from the
 * agent jar and inlines them ({@link AdviceInliner}). Matchers see the woven class through {@link WovenClass}
 * (read from class files, nothing is loaded to match).
 */
public final class Instrumentations {
    private Instrumentations() {}

    static final String PKG = "io.duroxide.agent.advice.";
    public static final String DISPATCHER_LOOP = "io.duroxide.runtime.DispatcherLoop";
    public static final String ORCHESTRATION_DISPATCHER = "io.duroxide.runtime.OrchestrationDispatcher";
    public static final String ACTIVITY_INVOKER = "io.duroxide.runtime.ActivityInvoker";
    public static final String PROVIDER = "io.duroxide.provider.Provider";

    /**
     * The engine's own classes that the units weave, in the order a runtime loads them, for
     * {@link WeavingTransformer#prepareSystemLoader}: woven ahead on the agent's thread, so the application does
     * not wait for them. The first {@link #STORE_CLASSES} are the ones an application loads first (its store: the
     * shared JDBC provider, which holds the SPI methods of the built-in SQLite provider and of the PostgreSQL one;
     * the SQLite class itself declares none). Other providers (third parties) are woven when they load, not ahead:
     * weaving a class the application may never load would only take CPU from its start-up.
     */
    public static final List<String> ENGINE_CLASSES = List.of(
            "io.duroxide.provider.jdbc.JdbcProvider",
            DISPATCHER_LOOP,
            ORCHESTRATION_DISPATCHER,
            "io.duroxide.runtime.ActivityWorker",
            ACTIVITY_INVOKER);

    /** How many of {@link #ENGINE_CLASSES} an application loads with its store, before it starts a runtime. */
    public static final int STORE_CLASSES = 1;

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
    public record Unit(String name, Predicate<WovenClass.TypeView> types, List<MethodAdvice> advice) {}

    /** An advice class (by name) for the methods that {@code methods} matches. */
    public record MethodAdvice(Predicate<WovenClass.MethodView> methods, String adviceClass) {}

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
        return new Unit("orchestration", type -> type.name().equals(ORCHESTRATION_DISPATCHER), List.of(new MethodAdvice(
                method -> method.named("commitTurn") && method.takesOnly("io.duroxide.observe.TurnCommit") && method.hasOwnCode(),
                PKG + "CommitTurnAdvice")));
    }

    /** Start/stop of dispatcher loops: worker gauges, and the providers polled for active instances. */
    static Unit loopLifecycle() {
        return new Unit("loop-lifecycle", type -> type.name().equals(DISPATCHER_LOOP), List.of(
                new MethodAdvice(method -> method.named("start") && method.argumentCount() == 0 && !method.isStatic()
                        && method.hasOwnCode(), PKG + "LoopStartAdvice"),
                new MethodAdvice(method -> method.named("stop") && method.argumentCount() == 1 && !method.isStatic()
                        && method.hasOwnCode(), PKG + "LoopStopAdvice")));
    }

    /** Activity unit: every activity attempt. */
    static Unit activity() {
        return new Unit("activity", type -> type.name().startsWith("io.duroxide.") && !type.isInterface()
                        && type.isSubtypeOf(ACTIVITY_INVOKER),
                List.of(new MethodAdvice(
                        method -> method.named("invoke") && method.takesOnly("io.duroxide.observe.ActivityInvocation")
                                && method.hasOwnCode() && !method.isStatic(),
                        PKG + "ActivityInvokeAdvice")));
    }

    private static final Set<String> NOT_MEASURED_PROVIDER_METHODS = Set.of("name", "close", "toString", "hashCode", "equals");

    /** Provider unit: every implementation of the SPI, in any package (matched through the interface). */
    static Unit provider() {
        return new Unit("provider", type -> !type.isInterface() && type.isSubtypeOf(PROVIDER),
                List.of(new MethodAdvice(
                        method -> method.hasOwnCode() && !method.isStatic() && method.overridesMethodOf(PROVIDER)
                                && !NOT_MEASURED_PROVIDER_METHODS.contains(method.name()),
                        PKG + "ProviderAdvice")));
    }

    /** Worker unit: items processed by the dispatcher loops. */
    static Unit worker() {
        return new Unit("worker", type -> type.name().startsWith("io.duroxide.") && !type.isAbstract()
                        && type.isSubtypeOf(DISPATCHER_LOOP),
                List.of(new MethodAdvice(
                        method -> method.named("process") && method.argumentCount() == 1 && method.hasOwnCode()
                                && !method.isStatic(),
                        PKG + "ProcessAdvice")));
    }
}
