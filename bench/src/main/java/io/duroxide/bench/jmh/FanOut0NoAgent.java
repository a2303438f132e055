package io.duroxide.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * End-to-end throughput, no agent: orchestrations per second (score, ops/s) of one orchestration
 * fanning out {@value FanOutState#FAN} no-op activities and joining, on file-backed SQLite; each
 * invocation starts a batch of {@value #BATCH} instances and waits for all of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {})
public class FanOut0NoAgent {
    static final int BATCH = 200;

    private FanOutState state;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        FanOutState.requireAgent(false);
        state = new FanOutState();
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
