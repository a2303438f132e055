package io.duroxide.bench.peer;

/** One completed workflow as its store recorded it: when it was started and when it completed, epoch milliseconds. */
record Span(long startMs, long endMs) {
    long latencyMs() {
        return endMs - startMs;
    }
}
