package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * Agent attached, everything on; {@code log=debug} lists the woven classes in the fork's output, which shows
 * that {@link io.duroxide.testing.NoOpProvider} and the activity invoker are instrumented. See {@link PerCallBenchmark}.
 */
@Fork(value = 1, jvmArgsAppend = {AgentJar.JVM_ARG, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.log=debug"})
public class PerCall2AgentOn extends PerCallBenchmark {}
