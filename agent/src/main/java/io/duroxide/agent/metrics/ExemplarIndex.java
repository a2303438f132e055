package io.duroxide.agent.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code DUROXIDE_METRICS_EXEMPLARS}: the exemplar slots of the series that carry exemplars, by metric and
 * labels, and their attachment to a scrape. Micrometer's own exemplar support labels exemplars with a
 * tracer's {@code trace_id} and {@code span_id} only, so the agent keeps its own slots (filled by the
 * recorders with the instance, execution and attempt of an observation) and adds them to the data points of
 * an OpenMetrics scrape; the Prometheus text format has no exemplars and is written as before.
 */
final class ExemplarIndex {
    private final boolean enabled;
    private final MeterRegistry registry;
    /** Prometheus metric name (as the scrape's snapshots name it) -> series labels -> slots. */
    private final Map<String, Map<Labels, ExemplarSlots>> byMetric = new ConcurrentHashMap<>();

    ExemplarIndex(boolean enabled, MeterRegistry registry) {
        this.enabled = enabled;
        this.registry = registry;
    }

    /** The slots of a histogram series with these finite bucket bounds, or null when exemplars are off. */
    ExemplarSlots histogram(Meter meter, double[] upperBounds) {
        return enabled ? slots(meter, upperBounds) : null;
    }

    /** The slot of a counter series, or null when exemplars are off. */
    ExemplarSlots counter(Meter meter) {
        return enabled ? slots(meter, new double[0]) : null;
    }

    private ExemplarSlots slots(Meter meter, double[] upperBounds) {
        Meter.Id id = meter.getId();
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Tag t : id.getConventionTags(registry.config().namingConvention())) {
            names.add(t.getKey());
            values.add(t.getValue());
        }
        return byMetric.computeIfAbsent(id.getConventionName(registry.config().namingConvention()), n -> new ConcurrentHashMap<>())
                .computeIfAbsent(Labels.of(names, values), l -> new ExemplarSlots(upperBounds, registry.config().clock()));
    }

    /** The snapshots with the kept exemplars on the data points of their series. */
    MetricSnapshots attach(MetricSnapshots snapshots) {
        if (byMetric.isEmpty()) {
            return snapshots;
        }
        List<MetricSnapshot> out = new ArrayList<>(snapshots.size());
        for (MetricSnapshot s : snapshots) {
            Map<Labels, ExemplarSlots> series = byMetric.get(s.getMetadata().getPrometheusName());
            if (series == null) {
                out.add(s);
            } else if (s instanceof HistogramSnapshot h) {
                out.add(withExemplars(h, series));
            } else if (s instanceof CounterSnapshot c) {
                out.add(withExemplars(c, series));
            } else {
                out.add(s);
            }
        }
        return new MetricSnapshots(out);
    }

    private static HistogramSnapshot withExemplars(HistogramSnapshot h, Map<Labels, ExemplarSlots> series) {
        List<HistogramDataPointSnapshot> points = new ArrayList<>(h.getDataPoints().size());
        for (HistogramDataPointSnapshot p : h.getDataPoints()) {
            ExemplarSlots slots = series.get(p.getLabels());
            points.add(slots == null ? p : new HistogramDataPointSnapshot(p.getClassicBuckets(), p.hasSum() ? p.getSum() : Double.NaN,
                    p.getLabels(), slots.exemplars(), p.hasCreatedTimestamp() ? p.getCreatedTimestampMillis() : 0L));
        }
        return new HistogramSnapshot(h.isGaugeHistogram(), h.getMetadata(), points);
    }

    private static CounterSnapshot withExemplars(CounterSnapshot c, Map<Labels, ExemplarSlots> series) {
        List<CounterDataPointSnapshot> points = new ArrayList<>(c.getDataPoints().size());
        for (CounterDataPointSnapshot p : c.getDataPoints()) {
            ExemplarSlots slots = series.get(p.getLabels());
            points.add(slots == null ? p : new CounterDataPointSnapshot(p.getValue(), p.getLabels(), slots.counterExemplar(),
                    p.hasCreatedTimestamp() ? p.getCreatedTimestampMillis() : 0L));
        }
        return new CounterSnapshot(c.getMetadata(), points);
    }
}
