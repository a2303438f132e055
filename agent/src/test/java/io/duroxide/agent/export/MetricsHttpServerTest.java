package io.duroxide.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.agent.config.AgentConfig;
import io.duroxide.agent.metrics.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        MetricsHttpServer server = MetricsHttpServer.start(registry::get, "127.0.0.1", 0, "/metrics", Duration.ofSeconds(5));
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

    @Test
    void theUrlOfAnIpv6EndpointHasTheAddressInBracketsAndAnswers() throws Exception {
        assertThat(MetricsHttpServer.url("::1", 9464, "/metrics")).isEqualTo("http://[::1]:9464/metrics");
        assertThat(MetricsHttpServer.url("fe80::1%eth0", 9464, "/m")).isEqualTo("http://[fe80::1%25eth0]:9464/m");
        assertThat(MetricsHttpServer.url("[::1]", 9464, "/metrics")).isEqualTo("http://[::1]:9464/metrics");
        assertThat(MetricsHttpServer.url("0.0.0.0", 9464, "/metrics")).isEqualTo("http://0.0.0.0:9464/metrics");
        assertThat(MetricsHttpServer.url("localhost", 1, "/")).isEqualTo("http://localhost:1/");

        Metrics metrics = new Metrics(AgentConfig.from(null, Map.of(), Map.of()));
        metrics.counter("duroxide.test.ipv6", "a counter of this test").increment(2);
        MetricsHttpServer server = MetricsHttpServer.start(metrics, "::1", 0, "/metrics", Duration.ofSeconds(5));
        assertThat(server).as("the loopback interface has ::1").isNotNull();
        try {
            String url = MetricsHttpServer.url("::1", server.port(), "/metrics");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("duroxide_test_ipv6_total 2.0");
        } finally {
            server.stop();
        }
    }

    /**
     * As many clients as there are handler threads ask for an 8 MB response and never read it (more than the kernel's
     * socket buffers hold, so each holds its thread writing): a later scrape is answered only because the server
     * gives up on a client that does not take its response within the timeout, and that client's body is cut short.
     */
    @Test
    void clientsThatNeverReadTheirResponseAreDroppedAndScrapesAnswer() throws Exception {
        Metrics metrics = new Metrics(AgentConfig.from(null, Map.of(), Map.of()));
        String longValue = "x".repeat(40_000);
        for (int i = 0; i < 200; i++) {
            metrics.counter("duroxide.test.large", "a large response", "value", longValue + i).increment();
        }
        int fullLength = metrics.scrape("text/plain").getBytes(StandardCharsets.UTF_8).length;
        assertThat(fullLength).isGreaterThan(8_000_000);
        MetricsHttpServer server = MetricsHttpServer.start(metrics, "127.0.0.1", 0, "/metrics", Duration.ofSeconds(1));
        List<Socket> nonReaders = new ArrayList<>();
        try {
            for (int i = 0; i < HandlerThreads.THREADS; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                nonReaders.add(s);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Socket s : nonReaders) {
                while (s.getInputStream().available() == 0) { // the response has begun: the client holds a thread writing
                    assertThat(System.nanoTime() - deadline).as("a response began within a minute").isNegative();
                    Thread.sleep(10);
                }
            }
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body().getBytes(StandardCharsets.UTF_8)).hasSize(fullLength);
            int cutShort = 0;
            for (Socket s : nonReaders) {
                s.setSoTimeout(60_000);
                if (bytesUntilClosed(s.getInputStream()) < fullLength) {
                    cutShort++;
                }
            }
            assertThat(cutShort).as("the client whose thread the scrape got was dropped").isPositive();
        } finally {
            for (Socket s : nonReaders) {
                s.close();
            }
            server.stop();
        }
    }

    /** Reads to the end of the stream or a reset; with a response whose length is known, stops at its end. */
    private static long bytesUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[65536];
        long total = 0;
        long bodyStart = -1;
        long contentLength = -1;
        StringBuilder head = new StringBuilder();
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (bodyStart < 0) {
                    head.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    int end = head.indexOf("\r\n\r\n");
                    if (end >= 0) {
                        bodyStart = end + 4;
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
                        contentLength = m.find() ? Long.parseLong(m.group(1)) : -1;
                    }
                }
                total += n;
                if (bodyStart >= 0 && contentLength >= 0 && total - bodyStart >= contentLength) {
                    return contentLength; // the whole response: the connection stays open for the next request
                }
            }
        } catch (SocketException reset) {
            // closed by the server
        }
        return bodyStart < 0 ? 0 : total - bodyStart;
    }
}
