package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * Agent attached, everything on except exemplars ({@code DUROXIDE_METRICS_EXEMPLARS=false}): next to
 * {@link PerCall2AgentOn}, what keeping an exemplar per bucket costs a call. See {@link PerCallBenchmark}.
 */
@Fork(value = 1, jvmArgsAppend = {AgentJar.JVM_ARG, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.log=quiet", "-Dduroxide.metrics.exemplars=false"})
public class PerCall4AgentNoExemplars extends PerCallBenchmark {}
