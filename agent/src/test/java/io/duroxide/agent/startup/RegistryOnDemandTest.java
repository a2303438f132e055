package io.duroxide.agent.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.agent.config.AgentConfig;
import io.duroxide.agent.metrics.Metrics;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RegistryOnDemandTest {
    private final Metrics metrics = new Metrics(AgentConfig.from(null, Map.of(), Map.of()));

    @Test
    void aScrapeAsksForTheRegistryAndWaitsUntilItIsBuilt() throws Exception {
        RegistryOnDemand onDemand = new RegistryOnDemand(60_000);
        CompletableFuture<String> asked = CompletableFuture.supplyAsync(() -> {
            try {
                String by = onDemand.awaitRequest();
                onDemand.built(metrics);
                return by;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(onDemand.metrics()).isSameAs(metrics);
        assertThat(asked.get(60, TimeUnit.SECONDS)).isEqualTo("first scrape");
    }

    @Test
    void theBacklogOnlySignalsAndLaterScrapesFindTheRegistry() throws Exception {
        RegistryOnDemand onDemand = new RegistryOnDemand(60_000);
        onDemand.run(); // the bridge's signal, on an application thread: returns at once
        assertThat(onDemand.awaitRequest()).isEqualTo("held calls");
        onDemand.built(metrics);
        assertThat(onDemand.metrics()).isSameAs(metrics);
    }

    @Test
    void aScrapeGetsNothingWhenTheRegistryIsNotBuiltInTime() throws Exception {
        RegistryOnDemand onDemand = new RegistryOnDemand(50);
        assertThat(onDemand.metrics()).as("answered 503 by the endpoint").isNull();
        assertThat(onDemand.awaitRequest()).isEqualTo("first scrape");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // the scrape's own wait is ten minutes: only an immediate answer passes
    void aFailedBuildAnswersScrapesAtOnce() throws Exception {
        RegistryOnDemand onDemand = new RegistryOnDemand(600_000);
        onDemand.run();
        onDemand.awaitRequest();
        onDemand.built(null);
        assertThat(onDemand.metrics()).isNull();
    }
}
