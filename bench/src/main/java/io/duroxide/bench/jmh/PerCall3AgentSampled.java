package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * Agent attached with {@code DUROXIDE_METRICS_SAMPLE_RATE=0.1}: nine successes in ten skip the duration
 * histogram, and a provider call left out also skips the clock read at its end. See {@link PerCallBenchmark}.
 */
@Fork(value = 1, jvmArgsAppend = {AgentJar.JVM_ARG, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.log=quiet", "-Dduroxide.metrics.sample.rate=0.1"})
public class PerCall3AgentSampled extends PerCallBenchmark {}
