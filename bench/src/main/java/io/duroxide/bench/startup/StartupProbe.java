package io.duroxide.bench.startup;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The program whose start-up {@link StartupCost} times: open a fresh SQLite file, start a runtime, run one
 * orchestration that calls one activity, print {@value #DONE} as soon as it completed, then close and exit.
 * It also prints the time since JVM start as the JVM itself reports it; the JMX classes needed for that are
 * loaded only after the line is printed, so they do not count. With {@code -D}{@value #SCRAPE}{@code =URL} it
 * then scrapes the agent's endpoint until the first orchestration's completion is counted there and prints that
 * time since JVM start too: the agent builds its registry on demand, so this is when its metrics are served.
 */
public final class StartupProbe {
    static final String DONE = "first-orchestration-completed";
    static final String SCRAPE = "startup.scrape";
    static final String SERVED = "metrics-served-since-jvm-start-ms ";
    private static final String COMPLETED_SAMPLE = "duroxide_orchestration_completions_total{";

    private StartupProbe() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("duroxide-startup-");
        Path db = dir.resolve("startup.db");
        try (SqliteProvider provider = SqliteProvider.open(db)) {
            Registry registry = new Registry()
                    .addActivity("startup::Hello", String.class, (ctx, name) -> "hello " + name)
                    .addOrchestration("startup::Greet", String.class,
                            (ctx, name) -> ctx.callActivity("startup::Hello", name, String.class).await());
            try (DuroxideRuntime runtime = DuroxideRuntime.builder(provider, registry).build().start()) {
                DuroxideClient client = runtime.client();
                String id = client.startOrchestration("startup::Greet", "world");
                RuntimeStatus status = client.waitForCompletion(id, Duration.ofMinutes(1)).status();
                long now = System.currentTimeMillis();
                System.out.println(DONE + " " + status);
                System.out.flush();
                long sinceJvmStart = now - ManagementFactory.getRuntimeMXBean().getStartTime();
                System.out.println("since-jvm-start-ms " + sinceJvmStart);
                if (status != RuntimeStatus.COMPLETED) {
                    throw new IllegalStateException("the orchestration ended " + status);
                }
                String scrape = System.getProperty(SCRAPE);
                if (scrape != null) {
                    awaitCountedCompletion(URI.create(scrape));
                    System.out.println(SERVED + (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            for (String f : new String[] {"startup.db", "startup.db-wal", "startup.db-shm"}) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Scrapes until a completion sample of 1 or more is there (the endpoint answers 503 while its registry builds). */
    private static void awaitCountedCompletion(URI uri) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().lines().anyMatch(l -> l.startsWith(COMPLETED_SAMPLE) && !l.endsWith(" 0.0"))) {
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(5);
        }
        throw new IOException(uri + " did not count the completed orchestration within 30 s (" + last + ")");
    }
}
