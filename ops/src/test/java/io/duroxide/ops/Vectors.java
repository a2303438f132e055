package io.duroxide.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/** Reads the instant vectors of Prometheus' query API. */
final class Vectors {
    private Vectors() {}

    static double value(JsonNode sample) {
        String v = sample.path("value").path(1).asText();
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    /** Sample values keyed by the given labels' values joined with '|' (samples with equal keys are summed). */
    static Map<String, Double> byLabels(JsonNode result, String... labels) {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode s : result) {
            out.merge(key(s.path("metric"), labels), value(s), Double::sum);
        }
        return out;
    }

    static String key(JsonNode metric, String... labels) {
        StringBuilder k = new StringBuilder();
        for (String l : labels) {
            if (k.length() > 0) {
                k.append('|');
            }
            k.append(metric.path(l).asText());
        }
        return k.toString();
    }

    /** The single sample's value (a vector of one sample without labels, e.g. an overall sum). */
    static double single(JsonNode result) {
        if (result.size() != 1) {
            throw new AssertionError("expected one sample, got " + result);
        }
        return value(result.get(0));
    }

    /** Every sample as "labels=value", for comparing two answers. */
    static Map<String, String> normalised(JsonNode result) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode s : result) {
            out.put(s.path("metric").toString(), s.path("value").path(1).asText());
        }
        return out;
    }
}
