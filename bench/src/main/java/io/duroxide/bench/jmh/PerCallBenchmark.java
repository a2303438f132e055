package io.duroxide.bench.jmh;

import io.duroxide.api.JsonConverter;
import io.duroxide.api.Registry;
import io.duroxide.observe.ActivityInvocation;
import io.duroxide.observe.ActivityOutcome;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.Provider;
import io.duroxide.runtime.ActivityInvoker;
import io.duroxide.testing.NoOpProvider;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-call cost of the agent's advice: one instrumented call on a trivial target, in ns/op, and (with
 * {@code -prof gc}) {@code gc.alloc.rate.norm} in bytes/op. The concrete subclasses differ only in their
 * {@code @Fork} JVM arguments (no agent, agent attached but disabled, agent on), so the added cost per call
 * is the difference of the same benchmark across forks of one run.
 *
 * <ul>
 *   <li>{@link #providerCall}: {@code Provider#renewActivityLock} on {@link NoOpProvider} (the call itself
 *       increments a field). With the agent: provider advice, nesting guard, exact operation counter and the
 *       duration histogram.</li>
 *   <li>{@link #activityInvoke}: {@code ActivityInvoker#invoke} of a registered activity returning its
 *       input. The no-agent baseline includes the engine's JSON decode/encode of a small integer and the
 *       engine's own timing of the attempt (the invoker measures each attempt, two {@code System.nanoTime()}
 *       calls, for the worker's lease-ahead: {@code ActivityOutcome#durationNanos()}). With the agent: the
 *       exit-only activity advice, which reads that duration instead of timing the attempt again, the
 *       execution counter and the duration histogram.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class PerCallBenchmark {
    private static final String TOKEN = "lock-token";
    private static final Duration LOCK = Duration.ofSeconds(30);

    private Provider provider;
    private ActivityInvoker invoker;
    private ActivityInvocation invocation;

    @Setup
    public void setUp() throws Exception {
        ForkVariant.check(getClass());
        provider = new NoOpProvider();
        Registry registry = new Registry().addActivity("bench::Echo", Integer.class, (ctx, n) -> n);
        // The invoker's constructor is package-private (the runtime builds it); the benchmark builds one
        // directly so an activity attempt runs without queues, threads or a store around it.
        Constructor<ActivityInvoker> c = ActivityInvoker.class.getDeclaredConstructor(
                Registry.class, JsonConverter.class, int.class, ExecutorService.class, BooleanSupplier.class);
        c.setAccessible(true);
        BooleanSupplier notShuttingDown = () -> false;
        invoker = c.newInstance(registry, JsonConverter.DEFAULT, 10, null, notShuttingDown);
        ActivityWorkItem item = new ActivityWorkItem("i-1", 1, 1, "bench::Orchestration", "bench::Echo", "7", null, 0, 1, 0);
        invocation = new ActivityInvocation(item, 1, new AtomicBoolean());
        if (!(invoker.invoke(invocation) instanceof ActivityOutcome.Succeeded)) {
            throw new IllegalStateException("the benchmark activity did not succeed: " + invoker.invoke(invocation));
        }
    }

    @Benchmark
    public void providerCall() {
        provider.renewActivityLock(TOKEN, LOCK);
    }

    @Benchmark
    public ActivityOutcome activityInvoke() {
        return invoker.invoke(invocation);
    }
}
