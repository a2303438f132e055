package io.duroxide.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.agent.AgentConfig;
import io.duroxide.agent.metrics.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsHttpServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(MetricsHttpServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aScrapeBeforeTheRegistryIsReadyIsAnswered503ThenServedOnceItIs() throws Exception {
        AtomicReference<Metrics> registry = new AtomicReference<>();
        MetricsHttpServer server = MetricsHttpServer.start(registry::get, "127.0.0.1", 0, "/metrics");
        try {
            HttpResponse<String> early = get(server, "/metrics");
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(early.headers().firstValue("Retry-After")).hasValue("1");

            Metrics metrics = new Metrics(AgentConfig.from(null, Map.of(), Map.of()));
            metrics.counter("duroxide.test.ready", "a counter of this test").increment(3);
            registry.set(metrics);
            HttpResponse<String> ready = get(server, "/metrics");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("duroxide_test_ready_total 3.0");
            assertThat(get(server, "/-/healthy").statusCode()).as("health never waits for the registry").isEqualTo(200);
        } finally {
            server.stop();
        }
    }
}
