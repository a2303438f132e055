package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/** No agent. See {@link FanOutBenchmark}. */
@Fork(value = 1, jvmArgsAppend = {})
public class FanOut0NoAgent extends FanOutBenchmark {
    @Override
    boolean agentAttached() {
        return false;
    }
}
