package io.duroxide.bench.jmh;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scrape cost at about {@value #TARGET_SERIES} series: the agent's own registry and recorders, taken from the
 * real shaded agent jar (loaded in an isolated class loader, so what runs is what ships), are filled through
 * the activity recorder with distinct activity names, each with a successful and a failed attempt (execution
 * counters, duration histograms with the spec's 12 buckets, error counters), until the Prometheus text holds
 * at least {@value #TARGET_SERIES} samples (every {@code _bucket}, {@code _count}, {@code _sum} and {@code _max}
 * line is a series, as Prometheus counts them). Then:
 *
 * <ul>
 *   <li>{@link #render}: the registry renders the text exposition (what the endpoint does per request);</li>
 *   <li>{@link #renderOpenMetrics}: the same in OpenMetrics, as Prometheus asks for it, with an exemplar on every
 *       bucket and error counter that had an observation (every series here: exemplars are on by default);</li>
 *   <li>{@link #http}: one GET of the agent's HTTP endpoint on 127.0.0.1, body read completely.</li>
 * </ul>
 *
 * The set-up prints the number of series and the heap the filled registry retains (used heap after full GCs,
 * before loading the agent and after filling it; class metadata is in metaspace and printed separately).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class ScrapeBenchmark {
    static final int TARGET_SERIES = 10_000;

    private URLClassLoader agentLoader;
    private Object metrics;
    private MethodHandle scrape;
    private Object server;
    private HttpClient client;
    private HttpRequest request;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        ForkVariant.check(getClass());
        long heapBefore = usedHeapAfterGc();
        long metaBefore = metaspaceUsed();
        agentLoader = new URLClassLoader(new URL[] {Path.of(AgentJar.PATH).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        Class<?> configType = agentLoader.loadClass("io.duroxide.agent.AgentConfig");
        Class<?> metricsType = agentLoader.loadClass("io.duroxide.agent.metrics.Metrics");
        Class<?> recorderType = agentLoader.loadClass("io.duroxide.agent.metrics.ActivityRecorder");
        // the caps are raised so that every name becomes its own series (the default cap would fold them into "other")
        Object config = lookup.findStatic(configType, "from", MethodType.methodType(configType, String.class, Map.class, Map.class))
                .invoke((String) null, Map.of("DUROXIDE_METRICS_MAX_LABEL_VALUES", "100000", "DUROXIDE_METRICS_MAX_ACTIVITY_NAMES", "100000"), Map.of());
        metrics = lookup.findConstructor(metricsType, MethodType.methodType(void.class, configType)).invoke(config);
        Object recorder = lookup.findConstructor(recorderType, MethodType.methodType(void.class, metricsType)).invoke(metrics);
        MethodHandle attempt = lookup.findVirtual(recorderType, "attempt", MethodType.methodType(void.class, String.class, long.class,
                String.class, int.class, String.class, boolean.class, String.class, String.class, String.class, boolean.class, String.class,
                long.class));
        scrape = lookup.findVirtual(metricsType, "scrape", MethodType.methodType(String.class, String.class));

        int names = 0;
        int series = 0;
        while (series < TARGET_SERIES) {
            for (int i = 0; i < 10; i++, names++) {
                String name = "bench::Activity" + names;
                attempt.invoke(recorder, "bench-" + names, 1L, name, 0, (String) null, false, (String) null, (String) null, (String) null, false, (String) null,
                        1_000_000L * (names % 500));
                attempt.invoke(recorder, "bench-" + names, 1L, name, 0, "APPLICATION_ERROR", false, "APPLICATION", "java.lang.IllegalStateException",
                        (String) null, false, (String) null, 2_000_000L);
            }
            series = countSeries(render());
        }
        long heapAfter = usedHeapAfterGc();
        long metaAfter = metaspaceUsed();
        System.out.printf("%nscrape set-up: %d activity names, %d series, %d bytes of text; retained heap %.1f MB "
                        + "(used after GC %.1f -> %.1f MB), metaspace +%.1f MB%n",
                names, series, render().length(), (heapAfter - heapBefore) / 1e6, heapBefore / 1e6, heapAfter / 1e6,
                (metaAfter - metaBefore) / 1e6);

        Class<?> serverType = agentLoader.loadClass("io.duroxide.agent.export.MetricsHttpServer");
        server = lookup.findStatic(serverType, "start", MethodType.methodType(serverType, metricsType, String.class, int.class, String.class,
                        Duration.class))
                .invoke(metrics, "127.0.0.1", 0, "/metrics", Duration.ofSeconds(5));
        int port = (int) lookup.findVirtual(serverType, "port", MethodType.methodType(int.class)).invoke(server);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Throwable {
        if (server != null) {
            MethodHandles.publicLookup().findVirtual(server.getClass(), "stop", MethodType.methodType(void.class)).invoke(server);
        }
        agentLoader.close();
    }

    @Benchmark
    public String render() throws Throwable {
        return (String) scrape.invoke(metrics, "text/plain");
    }

    @Benchmark
    public String renderOpenMetrics() throws Throwable {
        return (String) scrape.invoke(metrics, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    }

    @Benchmark
    public int http() throws Exception {
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("scrape answered " + response.statusCode());
        }
        return response.body().length;
    }

    /** Sample lines of a Prometheus text exposition (comments and blank lines are not series). */
    static int countSeries(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int end = text.indexOf('\n', i);
            if (end < 0) {
                end = text.length();
            }
            if (end > i && text.charAt(i) != '#') {
                n++;
            }
            i = end + 1;
        }
        return n;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        // several collections: the smallest reading is the live set (G1 may leave some garbage after one)
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static long metaspaceUsed() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.NON_HEAP && pool.getName().contains("Metaspace")) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }
}
