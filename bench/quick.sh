#!/usr/bin/env bash
# The short version of every benchmark (about 4 minutes on 2 cores; build first with
# `mvn -q -DskipTests package`). bench/RESULTS.md has the full run and how to read each part.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
out=bench/target/quick
mkdir -p "$out"

echo "== fan-out throughput (no agent / agent disabled / agent on / sample rate 0.1) and the SQLite ceiling"
java -jar "$jar" 'FanOut|SqliteCeiling' -p provider=sqlite -f 1 -wi 1 -w 3s -i 2 -r 3s -rf csv -rff "$out/throughput.csv"
java -cp "$jar" io.duroxide.bench.jmh.Ratios "$out/throughput.csv"

echo "== the agent's end-to-end cost, variants taking turns on the machine (1 short round; the full run is AgentOverhead 5)"
java -cp "$jar" io.duroxide.bench.jmh.AgentOverhead 1 2000 5 500

echo "== the agent's cost per instrumented call (-prof gc) and the scrape of 10,000 series"
java -jar "$jar" 'PerCall|Scrape' -f 1 -wi 1 -w 2s -i 2 -r 2s -prof gc -rf csv -rff "$out/agent.csv"
java -cp "$jar" io.duroxide.bench.jmh.PerCallDeltas "$out/agent.csv"

echo "== start-up to the first completed orchestration, with and without the agent"
java -cp "$jar" io.duroxide.bench.startup.StartupCost 3

echo "== the Rust duroxide stress workload (10 ms activities, 20 in flight) at 1/1 and 2/2 slots"
java -cp bench/target/duroxide-loadgen.jar io.duroxide.bench.StressRun 10 1/1 2/2
