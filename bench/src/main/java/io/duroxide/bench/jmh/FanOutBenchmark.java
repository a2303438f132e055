package io.duroxide.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * End-to-end throughput: orchestrations per second (score, ops/s) of one orchestration fanning out
 * {@value io.duroxide.bench.FanOutWorkload#FAN} no-op activities and joining, on file-backed SQLite
 * or, with {@code -p provider=postgres}, on a PostgreSQL schema of its own (the server named by the
 * environment variable {@value FanOutState#PG_URL_VARIABLE}); each invocation starts
 * a batch of {@value #BATCH} instances and waits for all of them. The concrete subclasses differ only
 * in their {@code @Fork} JVM arguments (with or without the agent, and how it is configured), so the
 * variants run side by side in one JMH run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public abstract class FanOutBenchmark {
    static final int BATCH = 200;

    /** The store: {@code sqlite} or {@code postgres}. */
    @Param({"sqlite"})
    public String provider;

    private FanOutState state;

    /** Whether this variant's fork must have the agent attached; checked so a wrong setup fails loudly. */
    abstract boolean agentAttached();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        FanOutState.requireAgent(agentAttached());
        state = new FanOutState(provider);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        state.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void fanOut() {
        state.runBatch(BATCH);
    }
}
