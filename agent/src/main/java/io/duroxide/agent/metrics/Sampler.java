package io.duroxide.agent.metrics;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code DUROXIDE_METRICS_SAMPLE_RATE}: decides whether a <em>successful</em> observation is added to a
 * duration histogram. Counters are never sampled and failures are always recorded, so rates, success
 * ratios and error attribution stay exact; only the success series of the duration histograms hold a
 * uniform random sample (unbiased quantiles, {@code _count} = sampled observations).
 */
public final class Sampler {
    private final double rate;

    public Sampler(double rate) {
        this.rate = rate;
    }

    public boolean sampleSuccess() {
        if (rate >= 1.0) {
            return true;
        }
        if (rate <= 0.0) {
            return false;
        }
        return ThreadLocalRandom.current().nextDouble() < rate;
    }

    public double rate() {
        return rate;
    }
}
