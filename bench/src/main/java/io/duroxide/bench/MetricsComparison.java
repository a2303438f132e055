package io.duroxide.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compares the ground truth of the database with one scrape of the agent's Prometheus endpoint. The agent
 * counts what this process did; the ground truth is what the database holds for this run. They describe the
 * same work only when no other run's instances were unfinished while this one ran, so only then is the comparison
 * made: "metrics lost 0, counted twice 0" means exactly that, and otherwise the output says why it made none.
 */
final class MetricsComparison {
    private MetricsComparison() {}

    /** A parsed scrape: sample lines (name{labels} value), not comments. */
    record Scrape(String text, int series, int duroxideSeries) {
        static Scrape of(String text) {
            int series = 0;
            int duroxide = 0;
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                series++;
                if (line.startsWith("duroxide_")) {
                    duroxide++;
                }
            }
            return new Scrape(text, series, duroxide);
        }

        /** Sum of the samples of {@code metric} whose labels contain every {@code key="value"} given. */
        long sum(String metric, String... labelFilters) {
            double total = 0;
            for (String line : text.split("\n")) {
                if (!line.startsWith(metric + "{") && !line.startsWith(metric + " ")) {
                    continue;
                }
                boolean match = true;
                for (String f : labelFilters) {
                    if (!line.contains(f)) {
                        match = false;
                        break;
                    }
                }
                if (match) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return Math.round(total);
        }
    }

    /** The system property the agent sets to its endpoint's URL once it is bound (see agent/README.md). */
    static final String URL_PROPERTY = "duroxide.metrics.url";

    /**
     * Waits until the agent serves metrics and returns its endpoint, or null when it exports none. The URL is the
     * one the agent bound (it publishes it as {@value #URL_PROPERTY}), so a port of 0 or one given as an agent
     * argument is found too. Waiting matters: the agent starts its endpoint just after the engine may run, and
     * whatever a series counts before a scraper first sees it is invisible to rate().
     */
    static URI awaitEndpoint(PrintStream out) throws InterruptedException {
        String http = System.getenv().getOrDefault("DUROXIDE_METRICS_HTTP_ENABLED", System.getProperty("duroxide.metrics.http.enabled", "true"));
        String enabled = System.getenv().getOrDefault("DUROXIDE_METRICS_ENABLED", System.getProperty("duroxide.metrics.enabled", "true"));
        if (http.equalsIgnoreCase("false") || enabled.equalsIgnoreCase("false")) {
            return null;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String url = System.getProperty(URL_PROPERTY);
            if (url != null) {
                URI uri = URI.create(url);
                try {
                    scrape(client, uri);
                    return uri;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    // not answering yet; asked again below
                }
            }
            Thread.sleep(50);
        }
        String url = System.getProperty(URL_PROPERTY);
        out.println(url == null ? "the agent published no metrics endpoint within 30 s (see its start-up line);"
                + " starting the load without the comparison" : "metrics endpoint " + url
                + " not answering after 30 s; starting the load anyway");
        return url == null ? null : URI.create(url);
    }

    static Scrape scrape(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + " from " + uri);
        }
        return Scrape.of(r.body());
    }

    /** Expected (database) and observed (metrics) value of each compared counter. */
    static Map<String, long[]> compare(LoadGenerator.GroundTruth truth, Scrape s) {
        Map<String, long[]> rows = new LinkedHashMap<>();
        rows.put("orchestration starts", new long[] {truth.instances(), s.sum("duroxide_orchestration_starts_total")});
        rows.put("completions status=success", new long[] {truth.orchestrations("completed"),
                s.sum("duroxide_orchestration_completions_total", "status=\"success\"")});
        rows.put("completions status=failed", new long[] {truth.orchestrations("failed"),
                s.sum("duroxide_orchestration_completions_total", "status=\"failed\"")});
        rows.put("completions status=cancelled", new long[] {truth.orchestrations("cancelled"),
                s.sum("duroxide_orchestration_completions_total", "status=\"cancelled\"")});
        rows.put("activity executions", new long[] {truth.activityAttempts(), s.sum("duroxide_activity_executions_total")});
        rows.put("activity failed attempts", new long[] {truth.activityFailures(),
                s.sum("duroxide_activity_executions_total") - s.sum("duroxide_activity_executions_total", "outcome=\"success\"")});
        return rows;
    }

    static void compareWithScrape(URI uri, LoadGenerator.GroundTruth truth, PrintStream out) {
        if (truth.otherRunsLive() > 0) {
            // The counters of this process and the ground truth of its run are then different sets of work: a
            // per-run comparison would report mismatches that are not there, so none is reported.
            out.printf("metrics not compared: %d instances of other runs were unfinished while this one ran (a run on"
                    + " the same store, or one killed before this); this process may have worked on theirs and they on"
                    + " its, which the database does not record. Compare the sums over all processes with the store.%n",
                    truth.otherRunsLive());
            return;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Scrape s = null;
        Map<String, long[]> rows = null;
        Exception lastError = null;
        while (true) {
            try {
                s = scrape(http, uri);
                rows = compare(truth, s);
                if (rows.values().stream().allMatch(r -> r[0] == r[1])) {
                    break;
                }
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (rows == null) {
            out.println("agent attached but " + uri + " could not be scraped: " + lastError);
            return;
        }
        out.println("metrics from " + uri + " compared with the database:");
        long lost = 0;
        long twice = 0;
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            long db = e.getValue()[0];
            long metric = e.getValue()[1];
            lost += Math.max(0, db - metric);
            twice += Math.max(0, metric - db);
            out.printf("  %-30s database=%d metrics=%d%s%n", e.getKey(), db, metric, db == metric ? "" : "  MISMATCH");
        }
        out.printf("metrics lost %d, counted twice %d%n", lost, twice);
        out.printf("series: %d in the scrape (%d duroxide_*)%n", s.series(), s.duroxideSeries());
    }
}
