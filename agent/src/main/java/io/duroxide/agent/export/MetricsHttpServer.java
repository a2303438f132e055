package io.duroxide.agent.export;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.duroxide.agent.config.Log;
import io.duroxide.agent.metrics.Metrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

/**
 * Serves the registry over HTTP with the JDK's built-in server: Prometheus text format 0.0.4, or
 * OpenMetrics 1.0 when the Accept header asks for {@code application/openmetrics-text}; gzip when
 * accepted. A few daemon threads serve it ({@link HandlerThreads}); a client that does not send its request, or
 * take the response, within {@code timeout} loses its connection, so slow or stalled clients cannot keep scrapes
 * waiting. A shutdown hook stops the server so JVM exit is not delayed.
 */
public final class MetricsHttpServer {
    private final HttpServer server;
    private final HandlerThreads threads;

    private MetricsHttpServer(HttpServer server, HandlerThreads threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Where a scrape gets the registry from: null when it is not ready in time (the scrape is answered 503). */
    public interface Source {
        Metrics metrics() throws InterruptedException;
    }

    /** A registry that already exists. */
    private record Ready(Metrics metrics) implements Source {}

    /** Starts the server, or prints one warning line and returns null (busy port, bad host, ...). */
    public static MetricsHttpServer start(Metrics metrics, String host, int port, String path, Duration timeout) {
        return start(new Ready(metrics), host, port, path, timeout);
    }

    /** As {@link #start(Metrics, String, int, String, Duration)}, with the registry asked for at each scrape. */
    public static MetricsHttpServer start(Source metrics, String host, int port, String path, Duration timeout) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException | RuntimeException e) {
            Log.warn("cannot serve metrics on " + host + ":" + port + " (" + e.getMessage()
                    + "); metrics are recorded but not exported, the application continues");
            return null;
        }
        HandlerThreads threads = new HandlerThreads(timeout.toNanos());
        server.createContext("/", exchange -> handle(exchange, threads.current(), metrics, path));
        server.setExecutor(threads);
        server.start();
        MetricsHttpServer s = new MetricsHttpServer(server, threads);
        Thread hook = new Thread(s::stop, "duroxide-agent-http-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            s.stop(); // already shutting down
            return null;
        }
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        try {
            server.stop(0);
        } catch (Throwable ignored) {
            // best effort at exit
        }
        threads.shutdown();
    }

    /** The URL of the endpoint as a client writes it: an IPv6 literal in brackets, its zone's {@code %} escaped. */
    public static String url(String host, int port, String path) {
        boolean ipv6Literal = host.indexOf(':') >= 0 && !host.startsWith("[");
        return "http://" + (ipv6Literal ? "[" + host.replace("%", "%25") + "]" : host) + ":" + port + path;
    }

    private static void handle(HttpExchange exchange, ExchangeDeadline deadline, Source source, String path) throws IOException {
        try (exchange) {
            if (!deadline.requestComplete()) {
                return; // too late: the thread was interrupted for it and the connection is being closed
            }
            String requestPath = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respondEmpty(exchange, deadline, 405);
                return;
            }
            if (requestPath.equals(path)) {
                String accept = exchange.getRequestHeaders().getFirst("Accept");
                boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
                String contentType = openMetrics
                        ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                        : "text/plain; version=0.0.4; charset=utf-8";
                Metrics metrics = source.metrics();
                if (metrics == null) {
                    byte[] body = "duroxide-agent: metrics registry not ready yet, retry\n".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                    exchange.getResponseHeaders().set("Retry-After", "1");
                    respond(exchange, deadline, method, 503, body);
                    return;
                }
                byte[] body = metrics.scrape(contentType).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", contentType);
                respond(exchange, deadline, method, 200, body);
            } else if (requestPath.equals("/") || requestPath.equals("/-/healthy")) {
                byte[] body = ("duroxide-agent: metrics at " + path + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                respond(exchange, deadline, method, 200, body);
            } else {
                respondEmpty(exchange, deadline, 404);
            }
        } catch (Throwable t) {
            if (deadline.phase() == ExchangeDeadline.Phase.EXPIRED) {
                return; // a client too slow to take the response: its connection is closed, nothing went wrong here
            }
            Log.warnOnce("http", "metrics request failed: " + t);
        }
    }

    private static void respond(HttpExchange exchange, ExchangeDeadline deadline, String method, int status, byte[] body)
            throws IOException {
        if ("HEAD".equals(method)) {
            respondEmpty(exchange, deadline, status);
            return;
        }
        deadline.writing(System.nanoTime());
        String encoding = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        boolean gzip = encoding != null && encoding.contains("gzip") && body.length > 1024;
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream out = new GZIPOutputStream(exchange.getResponseBody())) {
                out.write(body);
            }
        } else {
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A status without a body; from now the client has one timeout to take it. */
    private static void respondEmpty(HttpExchange exchange, ExchangeDeadline deadline, int status) throws IOException {
        deadline.writing(System.nanoTime());
        exchange.sendResponseHeaders(status, -1);
    }
}
