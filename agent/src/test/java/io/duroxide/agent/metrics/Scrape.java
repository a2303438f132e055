package io.duroxide.agent.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A tiny Prometheus text parser for the unit tests. */
final class Scrape {
    record Sample(String name, Map<String, String> labels, double value) {}

    final List<Sample> samples = new ArrayList<>();

    static Scrape parse(String body) {
        Scrape s = new Scrape();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            int brace = line.indexOf('{');
            String name;
            String rest;
            if (brace >= 0) {
                name = line.substring(0, brace);
                int close = line.lastIndexOf('}');
                for (String kv : line.substring(brace + 1, close).split("\",")) {
                    int eq = kv.indexOf('=');
                    labels.put(kv.substring(0, eq), kv.substring(eq + 2).replaceAll("\"$", ""));
                }
                rest = line.substring(close + 1).trim();
            } else {
                name = line.substring(0, line.indexOf(' '));
                rest = line.substring(line.indexOf(' ')).trim();
            }
            s.samples.add(new Sample(name, labels, Double.parseDouble(rest.split(" ")[0])));
        }
        return s;
    }

    double sum(String name, String... kv) {
        double t = 0;
        for (Sample x : samples) {
            if (x.name().equals(name) && matches(x, kv)) {
                t += x.value();
            }
        }
        return t;
    }

    boolean has(String name, String... kv) {
        return samples.stream().anyMatch(x -> x.name().equals(name) && matches(x, kv));
    }

    double value(String name, String... kv) {
        return samples.stream().filter(x -> x.name().equals(name) && matches(x, kv)).mapToDouble(Sample::value).findFirst()
                .orElse(Double.NaN);
    }

    List<Sample> series(String name) {
        return samples.stream().filter(x -> x.name().equals(name)).toList();
    }

    Set<String> labelValues(String name, String key) {
        Set<String> out = new TreeSet<>();
        for (Sample x : series(name)) {
            if (x.labels().containsKey(key)) {
                out.add(x.labels().get(key));
            }
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
