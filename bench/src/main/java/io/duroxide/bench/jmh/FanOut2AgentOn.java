package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/** Agent attached, everything on. See {@link FanOutBenchmark}. */
@Fork(value = 1, jvmArgsAppend = {AgentJar.JVM_ARG, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.log=quiet"})
public class FanOut2AgentOn extends FanOutBenchmark {
    @Override
    boolean agentAttached() {
        return true;
    }
}
