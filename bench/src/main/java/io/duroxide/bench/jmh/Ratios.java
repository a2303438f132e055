package io.duroxide.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JMH CSV result file ({@code -rf csv -rff FILE}) and prints each fan-out variant's throughput
 * as a ratio to the no-agent fork of the same run, and the engine's throughput next to the SQLite ceiling.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.duroxide.bench.jmh.Ratios jmh-result.csv</pre>
 */
public final class Ratios {
    /**
     * Write transactions one fan-out orchestration needs, measured with {@link TransactionsPerOrchestration}
     * (2.7 in the last run, with the default 8 orchestration slots): about 5.3 writing provider calls (create 1,
     * ack 2.2: 2 turn commits and the activity results stored in bulk, fetch 0.8 as several instances and
     * attempts share one fetch), fewer transactions because writes that queue behind a running transaction
     * share the next one (group commit). It was 5.1 with 2 orchestration slots, and 15 when every activity
     * took a fetch and a completion transaction of its own.
     */
    static final double TRANSACTIONS = 2.7;

    private Ratios() {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args.length > 0 ? args[0] : "jmh-result.csv"));
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            String name = f[0].replace("\"", "");
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            double score = Double.parseDouble(f[4].replace("\"", ""));
            double error = f[5].replace("\"", "").equals("NaN") ? Double.NaN : Double.parseDouble(f[5].replace("\"", ""));
            scores.put(name, new double[] {score, error});
        }
        double[] base = scores.get("FanOut0NoAgent.fanOut");
        System.out.printf("%-36s %14s %12s %9s%n", "benchmark", "score", "error", "ratio");
        for (Map.Entry<String, double[]> e : scores.entrySet()) {
            double[] s = e.getValue();
            String ratio = base != null && e.getKey().startsWith("FanOut") ? String.format("%.3f", s[0] / base[0]) : "";
            System.out.printf("%-36s %14.1f %12.1f %9s%n", e.getKey(), s[0], s[1], ratio);
        }
        for (String kind : List.of("singleInsertTransaction", "threeStatementTransaction")) {
            double[] ceiling = scores.get("SqliteCeiling." + kind);
            if (base != null && ceiling != null) {
                System.out.printf("SQLite ceiling (%s) %.0f tx/s / %.1f write tx per orchestration = %.0f orchestrations/s;"
                                + " no-agent engine %.0f/s = %.2f of that ceiling%n", kind,
                        ceiling[0], TRANSACTIONS, ceiling[0] / TRANSACTIONS, base[0], base[0] / (ceiling[0] / TRANSACTIONS));
            }
        }
    }
}
