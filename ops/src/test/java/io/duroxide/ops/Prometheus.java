package io.duroxide.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.duroxide.agenttests.Ports;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/** A real Prometheus server of our own on 127.0.0.1 (free port, own config and TSDB directory), and promtool. */
final class Prometheus implements AutoCloseable {
    static final String REQUIRE = "DUROXIDE_REQUIRE_PROMETHEUS";
    private static final AtomicBoolean SKIP_REPORTED = new AtomicBoolean();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** A query the server refused (e.g. a PromQL parse error): its errorType and message. */
    static final class QueryError extends RuntimeException {
        final String errorType;

        QueryError(String errorType, String message) {
            super(errorType + ": " + message);
            this.errorType = errorType;
        }
    }

    /**
     * The path of a Prometheus binary. Absent: the test is skipped (one line says how to enable it), or
     * fails when {@value #REQUIRE}=1 (CI installs the package, so a missing binary there is a failure).
     */
    static Path binary(String name) {
        Optional<Path> found = onPath(name);
        if (found.isPresent()) {
            return found.get();
        }
        String why = name + " is not on the PATH: the Prometheus tests need it; install it with"
                + " `apt-get install --no-install-recommends prometheus` (" + REQUIRE + "=1 turns this skip into a failure)";
        if ("1".equals(System.getenv(REQUIRE))) {
            throw new AssertionError(why);
        }
        if (SKIP_REPORTED.compareAndSet(false, true)) {
            System.err.println("SKIPPED: " + why);
        }
        Assumptions.abort(why);
        throw new IllegalStateException("unreachable");
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Runs promtool with the arguments; returns its exit code and output. */
    static ProcessResult promtool(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(binary("promtool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + args[0] + " did not finish within 60 s:\n" + out);
        }
        return new ProcessResult(p.exitValue(), out);
    }

    record ProcessResult(int exitCode, String output) {}

    final int port;
    final Path dir;
    private final Process process;

    /** In the server's directory: written by {@link #start}, rewritten by {@link #reload}, read by the server. */
    private static final String CONFIG_FILE = "prometheus.yml";

    private Prometheus(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts a server with this configuration file and further command-line flags in {@code dir} and waits until it is
     * ready. The server cannot report a port the kernel picked, so it gets a free one, which something else can take
     * before the server binds it: then it exits with "address already in use", and it is started again on another port.
     */
    static Prometheus start(Path dir, String configYaml, String... flags) throws Exception {
        Path config = dir.resolve(CONFIG_FILE);
        Files.writeString(config, configYaml);
        for (int attempt = 1; ; attempt++) {
            Prometheus prom = startOnFreePort(dir, config, flags);
            try {
                // the server that answers must be this one, not another that holds the port it could not bind
                prom.await("ready", Duration.ofSeconds(60), () -> prom.status("/-/ready") == 200
                        && config.toString().equals(prom.api("/api/v1/status/flags").path("config.file").asText()));
                return prom;
            } catch (Throwable t) {
                prom.close();
                if (attempt == 3 || !prom.log().contains("address already in use")) {
                    throw t;
                }
            }
        }
    }

    private static Prometheus startOnFreePort(Path dir, Path config, String... flags) throws IOException {
        int port = Ports.free();
        List<String> cmd = new java.util.ArrayList<>(List.of(binary("prometheus").toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle",
                "--log.level=warn"));
        cmd.addAll(List.of(flags));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        return new Prometheus(port, dir, p);
    }

    /** Replaces the configuration and has the server load it ({@code --web.enable-lifecycle}). */
    void reload(String configYaml) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(CONFIG_FILE), configYaml);
        HttpResponse<String> r = HTTP.send(request("/-/reload").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("prometheus refused the new configuration (" + r.statusCode() + "): " + r.body() + "\n" + log());
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls until the check holds; fails with the server log when the deadline passes. */
    void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited (" + process.exitValue() + ") while waiting for " + what + ":\n" + log());
            }
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException | QueryError e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus: " + what + " not reached within " + timeout + (last == null ? "" : " (" + last + ")")
                + "\n" + log());
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private int status(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(10));
    }

    /** GET of an API path; returns {@code data}, or throws {@link QueryError} when the status is not success. */
    JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(pathAndQuery).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = OpsFiles.JSON.readTree(r.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new QueryError(body.path("errorType").asText(), body.path("error").asText());
        }
        return body.path("data");
    }

    /** Instant query at {@code time} (seconds since the epoch); returns the result array of a vector. */
    JsonNode query(String promql, double time) throws IOException, InterruptedException {
        JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&time=" + time);
        if (!"vector".equals(data.path("resultType").asText()) && !"scalar".equals(data.path("resultType").asText())) {
            throw new AssertionError("unexpected result type " + data.path("resultType") + " of " + promql);
        }
        return data.path("result");
    }

    /** The exemplars stored for the selector between the two instants (seconds since the epoch), by series. */
    JsonNode exemplars(String selector, double start, double end) throws IOException, InterruptedException {
        return api("/api/v1/query_exemplars?query=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)
                + "&start=" + start + "&end=" + end);
    }

    /** True when every target of the scrape configuration is up. */
    boolean targetsUp(Predicate<JsonNode> which, int expected) throws IOException, InterruptedException {
        int up = 0;
        for (JsonNode t : api("/api/v1/targets?state=active").path("activeTargets")) {
            if (which.test(t) && "up".equals(t.path("health").asText())) {
                up++;
            }
        }
        return up == expected;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
