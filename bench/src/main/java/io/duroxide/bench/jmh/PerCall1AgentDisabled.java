package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/** Agent attached with {@code DUROXIDE_METRICS_ENABLED=false}. See {@link PerCallBenchmark}. */
@Fork(value = 1, jvmArgsAppend = {AgentJar.JVM_ARG, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.enabled=false"})
public class PerCall1AgentDisabled extends PerCallBenchmark {}
