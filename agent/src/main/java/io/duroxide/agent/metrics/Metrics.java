package io.duroxide.agent.metrics;

import io.duroxide.agent.AgentConfig;
import io.duroxide.agent.Log;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The agent's meter registry and the shared pieces every recorder uses: label limiters (one per label
 * key; the three orchestration-name keys share one so a name is capped the same way everywhere), the
 * success sampler, the message normaliser and the explicit histogram buckets. Meter names follow
 * Micrometer's convention (dots), the Prometheus registry renders them as the spec's names: counters get
 * {@code _total} from the Prometheus client, timers {@code _seconds}.
 */
public final class Metrics {
    public final AgentConfig config;
    public final PrometheusMeterRegistry registry;
    public final Sampler sampler;
    public final MessageNormalizer messages;
    final ExemplarIndex exemplars;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Map<String, LabelLimiter> limiters = new HashMap<>();

    public Metrics(AgentConfig config) {
        this(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), CoarseClock.get()));
    }

    public Metrics(AgentConfig config, PrometheusMeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.sampler = new Sampler(config.sampleRate);
        this.messages = new MessageNormalizer(config.errorMessageLength);
        this.exemplars = new ExemplarIndex(config.exemplars, registry);
        registry.config().onMeterRegistrationFailed((id, reason) ->
                Log.warnOnce("reg:" + id.getName(), "meter " + id.getName() + " not registered: " + reason));
        LabelLimiter orchestrationNames = new LabelLimiter("orchestration_name", config.capFor("orchestration_name"));
        limiters.put("orchestration_name", orchestrationNames);
        limiters.put("parent_orchestration", orchestrationNames);
        limiters.put("child_orchestration", orchestrationNames);
    }

    /** The limiter of one label key (created on first use, capped as {@link AgentConfig#capFor} says). */
    public synchronized LabelLimiter limiter(String key) {
        return limiters.computeIfAbsent(key, k -> new LabelLimiter(k, config.capFor(k)));
    }

    public Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** A counter whose value {@code count} computes from {@code obj} at scrape time ({@code obj} must stay strongly reachable). */
    public <T> FunctionCounter functionCounter(String name, String description, T obj, ToDoubleFunction<T> count, String... tags) {
        return FunctionCounter.builder(name, obj, count).description(description).tags(tags).register(registry);
    }

    public Timer timer(String name, String description, double[] bucketsSeconds, String... tags) {
        Duration[] slos = new Duration[bucketsSeconds.length];
        for (int i = 0; i < slos.length; i++) {
            slos[i] = Duration.ofNanos(Math.round(bucketsSeconds[i] * 1e9));
        }
        return Timer.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram(false)
                .serviceLevelObjectives(slos)
                .register(registry);
    }

    /** A timer as {@link #timer}, whose buckets carry exemplars in OpenMetrics scrapes. */
    TimerWithExemplars timerWithExemplars(String name, String description, double[] bucketsSeconds, String... tags) {
        Timer timer = timer(name, description, bucketsSeconds, tags);
        return new TimerWithExemplars(timer, exemplars.histogram(timer, bucketsSeconds));
    }

    /** A counter as {@link #counter}, which carries an exemplar in OpenMetrics scrapes. */
    CounterWithExemplar counterWithExemplar(String name, String description, String... tags) {
        Counter counter = counter(name, description, tags);
        return new CounterWithExemplar(counter, exemplars.counter(counter));
    }

    public DistributionSummary summary(String name, String description, double[] buckets, String... tags) {
        return DistributionSummary.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram(false)
                .serviceLevelObjectives(buckets)
                .register(registry);
    }

    public void remove(Meter meter) {
        if (meter != null) {
            registry.remove(meter);
        }
    }

    /**
     * Prometheus text (0.0.4) or OpenMetrics, as the Accept header asks; written as the registry's own scrape
     * writes it, with the kept exemplars added when the format is OpenMetrics.
     */
    public String scrape(String acceptHeader) {
        ExpositionFormatWriter writer = formats.findWriter(acceptHeader == null ? "text/plain" : acceptHeader);
        MetricSnapshots snapshots = registry.getPrometheusRegistry().scrape();
        if (writer instanceof OpenMetricsTextFormatWriter) {
            snapshots = exemplars.attach(snapshots);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
