package io.duroxide.agenttests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** Scrapes the agent's endpoint and parses the Prometheus text format into samples. */
final class Scrape {
    record Sample(String name, Map<String, String> labels, double value) {
        String label(String key) {
            return labels.get(key);
        }
    }

    /** Generous time-outs: a first scrape can build the agent's registry, on a loaded two-core machine. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final String body;
    final String contentType;
    final List<Sample> samples;

    private Scrape(String body, String contentType) {
        this.body = body;
        this.contentType = contentType;
        this.samples = parse(body);
    }

    static Scrape of(int port) throws IOException, InterruptedException {
        return of(port, "/metrics", null);
    }

    /** One scrape that fails unless it is answered within {@code timeout}. */
    static Scrape of(int port, Duration timeout) throws IOException, InterruptedException {
        return of(port, "/metrics", null, timeout);
    }

    static Scrape of(int port, String path, String accept) throws IOException, InterruptedException {
        return of(port, path, accept, Duration.ofSeconds(30));
    }

    private static Scrape of(int port, String path, String accept, Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout);
        if (accept != null) {
            req.header("Accept", accept);
        }
        HttpResponse<String> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode());
        }
        return new Scrape(r.body(), r.headers().firstValue("Content-Type").orElse(""));
    }

    /** Scrapes until the condition holds or the deadline passes (the last scrape is returned either way). */
    static Scrape until(int port, Predicate<Scrape> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Scrape last = null;
        Exception error = null;
        while (System.nanoTime() < deadline) {
            try {
                last = of(port);
                if (condition.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                error = e;
            }
            Thread.sleep(100);
        }
        if (last == null) {
            throw new AssertionError("endpoint on port " + port + " never answered", error);
        }
        return last;
    }

    static List<Sample> parse(String body) {
        List<Sample> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            int brace = line.indexOf('{');
            int valueStart;
            if (brace >= 0) {
                name = line.substring(0, brace);
                int i = brace + 1;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String key = line.substring(i, eq).trim();
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2;
                    while (line.charAt(j) != '"') {
                        if (line.charAt(j) == '\\') {
                            j++;
                            char c = line.charAt(j);
                            v.append(c == 'n' ? '\n' : c);
                        } else {
                            v.append(line.charAt(j));
                        }
                        j++;
                    }
                    labels.put(key, v.toString());
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                valueStart = i + 1;
            } else {
                int sp = line.indexOf(' ');
                name = line.substring(0, sp);
                valueStart = sp;
            }
            String[] rest = line.substring(valueStart).trim().split(" ");
            out.add(new Sample(name, labels, Double.parseDouble(rest[0])));
        }
        return out;
    }

    List<Sample> series(String name) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Sum of the samples of a metric whose labels include all the given key/value pairs. */
    double sum(String name, String... kv) {
        double total = 0;
        for (Sample s : series(name)) {
            if (matches(s, kv)) {
                total += s.value();
            }
        }
        return total;
    }

    boolean has(String name, String... kv) {
        for (Sample s : series(name)) {
            if (matches(s, kv)) {
                return true;
            }
        }
        return false;
    }

    /** The value of the single sample with exactly these labels, or NaN. */
    double value(String name, String... kv) {
        for (Sample s : series(name)) {
            if (s.labels().size() == kv.length / 2 && matches(s, kv)) {
                return s.value();
            }
        }
        return Double.NaN;
    }

    Set<String> labelValues(String name, String key) {
        Set<String> out = new TreeSet<>();
        for (Sample s : series(name)) {
            if (s.labels().containsKey(key)) {
                out.add(s.labels().get(key));
            }
        }
        return out;
    }

    Set<Set<String>> labelKeySets(String name) {
        Set<Set<String>> out = new java.util.HashSet<>();
        for (Sample s : series(name)) {
            Set<String> keys = new TreeSet<>(s.labels().keySet());
            keys.remove("le");
            out.add(keys);
        }
        return out;
    }

    private static boolean matches(Sample s, String... kv) {
        for (int i = 0; i < kv.length; i += 2) {
            if (!kv[i + 1].equals(s.labels().get(kv[i]))) {
                return false;
            }
        }
        return true;
    }
}
