package io.duroxide.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JMH CSV result file of {@link PerCallBenchmark} (run with {@code -prof gc}) and prints, per
 * benchmark method, what each agent variant adds to the no-agent fork of the same run: nanoseconds per call
 * and allocated bytes per call ({@code gc.alloc.rate.norm}). Scrape results in the same file are listed as they are.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.duroxide.bench.jmh.PerCallDeltas bench/target/jmh-agentperf.csv</pre>
 */
public final class PerCallDeltas {
    private PerCallDeltas() {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args.length > 0 ? args[0] : "jmh-result.csv"));
        // "io.duroxide.bench.jmh.PerCall2AgentOn.providerCall[:gc.alloc.rate.norm]" -> score, error
        Map<String, double[]> rows = new LinkedHashMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            String full = f[0].replace("\"", "");
            int colon = full.indexOf(':');
            // "Class.method" of the primary result; a secondary result (gc profiler) keeps its ":name"
            String primary = colon < 0 ? full : full.substring(0, colon);
            String name = primary.substring(primary.lastIndexOf('.', primary.lastIndexOf('.') - 1) + 1)
                    + (colon < 0 ? "" : full.substring(colon));
            String error = f[5].replace("\"", "");
            units.put(name, f[6].replace("\"", ""));
            rows.put(name, new double[] {Double.parseDouble(f[4].replace("\"", "")), error.equals("NaN") ? Double.NaN : Double.parseDouble(error)});
        }
        System.out.printf("%-36s %12s %10s %-6s %12s %12s %12s%n", "benchmark", "score", "error", "unit", "added", "B/op", "added B/op");
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            String key = e.getKey();
            if (key.contains(":")) {
                continue;
            }
            double[] s = e.getValue();
            double[] alloc = rows.get(key + ":gc.alloc.rate.norm");
            if (key.startsWith("PerCall")) {
                String method = key.substring(key.indexOf('.') + 1);
                double[] base = rows.get("PerCall0NoAgent." + method);
                double[] baseAlloc = rows.get("PerCall0NoAgent." + method + ":gc.alloc.rate.norm");
                System.out.printf("%-36s %12.1f %10.1f %-6s %12s %12s %12s%n", key, s[0], s[1], units.get(key),
                        base == null ? "" : String.format("%+.1f", s[0] - base[0]),
                        alloc == null ? "" : String.format("%.1f", alloc[0]),
                        alloc == null || baseAlloc == null ? "" : String.format("%+.1f", alloc[0] - baseAlloc[0]));
            } else {
                System.out.printf("%-36s %12.3f %10.3f %-6s %12s %12s%n", key, s[0], s[1], units.get(key), "",
                        alloc == null ? "" : String.format("%.0f", alloc[0]));
            }
        }
    }
}
