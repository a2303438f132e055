package io.duroxide.bench.jmh;

import io.duroxide.bench.Store;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the store operations one fan-out orchestration needs, from the agent's exact
 * {@code duroxide_provider_operations_total} counters (run it with the agent attached), and the SQLite write
 * transactions that carried them.
 *
 * <pre>java -javaagent:agent/target/duroxide-agent.jar -Dduroxide.metrics.poll.interval=1h \
 *   -cp bench/target/benchmarks.jar io.duroxide.bench.jmh.TransactionsPerOrchestration [INSTANCES] [BATCH]</pre>
 */
public final class TransactionsPerOrchestration {
    private TransactionsPerOrchestration() {}

    public static void main(String[] args) throws Exception {
        int instances = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        FanOutState.requireAgent(true);
        FanOutState state = new FanOutState(Store.SQLITE);
        long transactions;
        try {
            for (int done = 0; done < instances; done += batch) {
                state.runBatch(batch);
            }
            transactions = ((SqliteProvider) state.provider()).writeTransactions();
        } finally {
            state.close();
        }
        String port = System.getProperty("duroxide.metrics.port", "9464");
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> byOperation = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("duroxide_provider_operations_total{")) {
                int i = line.indexOf("operation=\"") + "operation=\"".length();
                String op = line.substring(i, line.indexOf('"', i));
                byOperation.merge(op, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        System.out.printf("%d fan-out orchestrations (batches of %d); provider operations per orchestration:%n", instances, batch);
        byOperation.forEach((op, n) -> System.out.printf("  %-16s %8.0f  %6.2f%n", op, n, n / instances));
        // a fetch that found nothing to lease reads only; the others write, several writes per transaction
        // when they queued behind one another (group commit)
        System.out.printf("SQLite write transactions: %d, %.2f per orchestration%n", transactions,
                (double) transactions / instances);
    }
}
