package io.duroxide.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/** No agent. See {@link PerCallBenchmark}. */
@Fork(value = 1, jvmArgsAppend = {})
public class PerCall0NoAgent extends PerCallBenchmark {}
