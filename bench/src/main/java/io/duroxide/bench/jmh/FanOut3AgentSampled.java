package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/** Agent attached with {@code DUROXIDE_METRICS_SAMPLE_RATE=0.1}. See {@link FanOutBenchmark}. */
@Fork(value = 1, jvmArgsAppend = {AgentJar.JVM_ARG, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.log=quiet", "-Dduroxide.metrics.sample.rate=0.1"})
public class FanOut3AgentSampled extends FanOutBenchmark {
    @Override
    boolean agentAttached() {
        return true;
    }
}
