package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent degrades, never breaks the application: each case asserts the application finished its work
 * (DONE line, clean exit) and what the agent did instead.
 */
class FailureMatrixIT {
    static final String[] VARIABLES = {
        "ENABLED", "ORCHESTRATION", "ACTIVITY", "PROVIDER", "WORKER", "SAMPLE_RATE", "INCLUDE_ERROR_MESSAGES",
        "ERROR_MESSAGE_LENGTH", "MAX_LABEL_VALUES", "MAX_ACTIVITY_NAMES", "MAX_ERROR_TYPES", "HTTP_ENABLED", "HOST", "PORT",
        "PATH", "POLL_INTERVAL", "BUCKETS_ORCHESTRATION_DURATION", "BUCKETS_ACTIVITY_DURATION", "BUCKETS_PROVIDER_DURATION",
        "BUCKETS_HISTORY_SIZE", "INIT_TIMEOUT", "LOG",
    };

    /** Runs the small known workload (3 orders, 1 failing) and returns the scrape once it is all counted. */
    static Scrape runSmall(ChildJvm child, int port, Path db) throws Exception {
        child.awaitDone(Duration.ofSeconds(120));
        GroundTruth truth = GroundTruth.read(db);
        return Scrape.until(port, s -> KnownWorkloadIT.tuples(s, "duroxide_orchestration_completions_total", "orchestration_name",
                "version", "status", "final_turn_count").equals(truth.of("completions")), Duration.ofSeconds(30));
    }

    static void assertSmallWorkloadCounted(Scrape s) {
        assertThat(s.value("duroxide_orchestration_starts_total", "orchestration_name", "Order", "version", "2.0.0",
                "initiated_by", "client")).isEqualTo(3.0);
        assertThat(s.value("duroxide_orchestration_completions_total", "orchestration_name", "Order", "version", "2.0.0",
                "status", "failed", "final_turn_count", "6-10")).isEqualTo(1.0);
        assertThat(s.value("duroxide_activity_executions_total", "activity_name", "Charge", "outcome", "success",
                "retry_attempt", "2")).isEqualTo(3.0);
        assertThat(s.sum("duroxide_provider_operations_total")).isPositive();
        assertThat(s.sum("duroxide_worker_items_processed_total")).isPositive();
    }

    @Test
    void busyPortIsOneWarningAndTheApplicationCarriesOn() throws Exception {
        Path db = Ports.newDb("busy");
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = busy.getLocalPort();
            try (ChildJvm child = ChildJvm.builder().name("busy").env("DUROXIDE_METRICS_PORT", Integer.toString(port))
                    .args("known", db.toString(), "3", "1").start()) {
                assertThat(child.awaitDone(Duration.ofSeconds(120))).isEqualTo("DONE instances=12");
                assertThat(child.finish(Duration.ofSeconds(30))).isZero();
                List<String> agentLines = child.lines().stream().filter(l -> l.startsWith("[duroxide-agent] WARNING")).toList();
                assertThat(agentLines).hasSize(1);
                assertThat(agentLines.get(0)).contains("WARNING: cannot serve metrics on 0.0.0.0:" + port)
                        .contains("the application continues");
                assertThat(child.output()).contains("EXITED").doesNotContain("Exception");
            }
        }
    }

    @Test
    void everyVariableSetToGarbagePrintsOneLineEachAndUsesTheDefaults() throws Exception {
        Path db = Ports.newDb("garbage");
        ChildJvm.Builder b = ChildJvm.builder().name("garbage").args("known", db.toString(), "3", "1");
        for (String v : VARIABLES) {
            b.env("DUROXIDE_METRICS_" + v, "%%garb age\u00e9%%");
        }
        try (ChildJvm child = b.start()) {
            assertThat(child.awaitDone(Duration.ofSeconds(120))).isEqualTo("DONE instances=12");
            String output = child.output();
            for (String v : VARIABLES) {
                String name = "DUROXIDE_METRICS_" + v + "=";
                assertThat(child.lines().stream().filter(l -> l.contains(name))).as(v).hasSize(1)
                        .allMatch(l -> l.startsWith("[duroxide-agent] WARNING: ") && l.contains("using the default"));
            }
            // defaults apply: the endpoint is on 9464 unless something else already holds that port
            boolean served = output.contains("metrics http://0.0.0.0:9464/metrics");
            boolean busy = output.contains("cannot serve metrics on 0.0.0.0:9464");
            assertThat(served || busy).as(output).isTrue();
            if (served) {
                Scrape s = Scrape.until(9464, x -> x.sum("duroxide_orchestration_completions_total") >= 12, Duration.ofSeconds(30));
                assertThat(s.sum("duroxide_orchestration_starts_total", "orchestration_name", "Order")).isEqualTo(3.0);
            }
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void configuredHostAndPathAndASecondJavaagentFlagThatIsIgnored() throws Exception {
        Path db = Ports.newDb("endpoint");
        try (ChildJvm child = ChildJvm.builder().name("endpoint")
                .metricsOnFreePort().env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                .env("DUROXIDE_METRICS_PATH", "/prom")
                .jvm("-javaagent:" + ChildJvm.AGENT_JAR)
                .args("known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            child.awaitDone(Duration.ofSeconds(120));
            assertThat(child.lines()).filteredOn(l -> l.contains("already running in this JVM")).hasSize(1);
            assertThat(child.output()).contains("metrics http://127.0.0.1:" + port + "/prom");
            GroundTruth truth = GroundTruth.read(db);
            long deadline = System.nanoTime() + 30_000_000_000L;
            Scrape s = Scrape.of(port, "/prom", null);
            while (!KnownWorkloadIT.tuples(s, "duroxide_orchestration_completions_total", "orchestration_name", "version", "status",
                    "final_turn_count").equals(truth.of("completions")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                s = Scrape.of(port, "/prom", null);
            }
            // counted once although two -javaagent flags name the jar
            assertThat(KnownWorkloadIT.tuples(s, "duroxide_orchestration_starts_total", "orchestration_name", "version", "initiated_by"))
                    .isEqualTo(truth.of("starts"));
            assertThat(KnownWorkloadIT.tuples(s, "duroxide_activity_executions_total", "activity_name", "outcome", "retry_attempt"))
                    .isEqualTo(truth.of("executions"));
            java.net.http.HttpResponse<String> other = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void engineAbsentIdlesQuietly() throws Exception {
        try (ChildJvm child = ChildJvm.builder().name("no-engine").main("io.duroxide.agenttests.apps.NoEngineApp")
                .classpath(ChildJvm.CHILD_CLASSES.toString())
                .metricsOnFreePort().start()) {
            int port = child.metricsPort();
            assertThat(child.awaitDone(Duration.ofSeconds(60))).startsWith("DONE sum=");
            Scrape s = Scrape.of(port);
            assertThat(s.samples).noneMatch(x -> x.name().startsWith("duroxide_"));
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
            assertThat(child.output()).doesNotContain("WARNING", "Exception", "Error");
        }
    }

    @Test
    void unknownNamesInEverySourcePrintOneLineEachNamingTheClosestSetting() throws Exception {
        try (ChildJvm child = ChildJvm.builder().name("unknown-names").main("io.duroxide.agenttests.apps.NoEngineApp")
                .classpath(ChildJvm.CHILD_CLASSES.toString())
                .metricsOnFreePort()
                .agentArgs("sampel.rate=0.1,log=info")
                .jvm("-Dduroxide.metrics.pol.interval=1s", "-Dduroxide.metrics.host=127.0.0.1")
                .env("DUROXIDE_METRICS_SAMPLERATE", "0.5")
                .env("DUROXIDE_METRICS_SAMPLE_RATE", "0.5").start()) {
            int port = child.metricsPort();
            assertThat(child.awaitDone(Duration.ofSeconds(60))).startsWith("DONE sum=");
            assertThat(child.lines().stream().filter(l -> l.contains("WARNING")).toList()).containsExactlyInAnyOrder(
                    "[duroxide-agent] WARNING: agent argument sampel.rate is not a setting of the agent and is ignored;"
                            + " did you mean sample.rate?",
                    "[duroxide-agent] WARNING: -Dduroxide.metrics.pol.interval is not a setting of the agent and is ignored;"
                            + " did you mean -Dduroxide.metrics.poll.interval?",
                    "[duroxide-agent] WARNING: DUROXIDE_METRICS_SAMPLERATE is not a setting of the agent and is ignored;"
                            + " did you mean DUROXIDE_METRICS_SAMPLE_RATE?");
            assertThat(child.output()).as("the settings that are known apply").contains("metrics http://127.0.0.1:" + port + "/metrics");
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void engineInAnIsolatedClassLoaderIsMeasured() throws Exception {
        Path db = Ports.newDb("isolated");
        Path cpFile = db.resolveSibling("isolated-classpath.txt");
        Files.writeString(cpFile, ChildJvm.workloadClasspath());
        // the application class path holds only the launcher's classes: the engine is not visible to the system loader
        try (ChildJvm child = ChildJvm.builder().name("isolated").main("io.duroxide.agenttests.apps.IsolatedLauncher")
                .classpath(ChildJvm.CHILD_CLASSES.toString())
                .metricsOnFreePort().env("DUROXIDE_METRICS_POLL_INTERVAL", "200ms")
                .args(cpFile.toString(), "known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            Scrape s = runSmall(child, port, db);
            assertSmallWorkloadCounted(s);
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
            assertThat(child.output()).doesNotContain("WARNING");
        }
    }

    @Test
    void conflictingMicrometerAndByteBuddyOnTheApplicationClassPath() throws Exception {
        Path db = Ports.newDb("conflict");
        List<String> cp = new ArrayList<>();
        try (Stream<Path> libs = Files.list(ChildJvm.CONFLICT_LIBS)) {
            libs.sorted().forEach(p -> cp.add(p.toString()));
        }
        assertThat(cp).hasSizeGreaterThanOrEqualTo(3);
        cp.add(ChildJvm.CHILD_CLASSES.toString());
        cp.addAll(ChildJvm.engineClasspath());
        try (ChildJvm child = ChildJvm.builder().name("conflict").main("io.duroxide.agenttests.apps.ConflictingLibrariesApp")
                .classpath(String.join(File.pathSeparator, cp))
                .metricsOnFreePort()
                .args("known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            String libs = child.awaitLine(l -> l.startsWith("APP_LIBS"), Duration.ofSeconds(60));
            assertThat(libs).contains("micrometer=1.12.0").contains("bytebuddy=byte-buddy-1.14.12.jar");
            Scrape s = runSmall(child, port, db);
            assertSmallWorkloadCounted(s);
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void newestJdkOnTheMachine() throws Exception {
        Path home = Path.of(System.getProperty("java25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no second JDK at " + home + " (JDK 17 is covered by every other test)");
        Path db = Ports.newDb("jdk25");
        try (ChildJvm child = ChildJvm.builder().name("jdk25").javaHome(home.toString())
                .metricsOnFreePort()
                .args("known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            Scrape s = runSmall(child, port, db);
            assertSmallWorkloadCounted(s);
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void aCategorySwitchedOffInstallsNoAdviceAndExportsNothingForIt() throws Exception {
        Path db = Ports.newDb("off");
        try (ChildJvm child = ChildJvm.builder().name("off").metricsOnFreePort()
                .env("DUROXIDE_METRICS_PROVIDER", "false").env("DUROXIDE_METRICS_WORKER", "false")
                .env("DUROXIDE_METRICS_LOG", "debug")
                .args("known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            Scrape s = runSmall(child, port, db);
            assertThat(s.samples).noneMatch(x -> x.name().startsWith("duroxide_provider_") || x.name().startsWith("duroxide_worker_"));
            assertThat(s.value("duroxide_orchestration_starts_total", "orchestration_name", "Order", "version", "2.0.0",
                    "initiated_by", "client")).isEqualTo(3.0);
            assertThat(s.sum("duroxide_activity_executions_total")).isPositive();
            String out = child.output();
            assertThat(out).contains("instrumented io.duroxide.runtime.OrchestrationDispatcher",
                    "instrumented io.duroxide.runtime.ActivityInvoker");
            assertThat(out).doesNotContain("instrumented io.duroxide.provider.sqlite.SqliteProvider",
                    "instrumented io.duroxide.provider.jdbc.JdbcProvider", "instrumented io.duroxide.runtime.ActivityWorker");
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void sampleRateKeepsCountersExactAndNeverSamplesFailures() throws Exception {
        Path db = Ports.newDb("sample");
        try (ChildJvm child = ChildJvm.builder().name("sample").metricsOnFreePort()
                .env("DUROXIDE_METRICS_SAMPLE_RATE", "0").env("DUROXIDE_METRICS_INCLUDE_ERROR_MESSAGES", "true")
                .args("known", db.toString(), "3", "1").start()) {
            int port = child.metricsPort();
            Scrape s = runSmall(child, port, db);
            GroundTruth truth = GroundTruth.read(db);
            assertThat(KnownWorkloadIT.tuples(s, "duroxide_activity_executions_total", "activity_name", "outcome", "retry_attempt"))
                    .isEqualTo(truth.of("executions"));
            assertThat(s.sum("duroxide_activity_duration_seconds_count", "outcome", "success")).as("successes sampled out").isZero();
            assertThat(s.sum("duroxide_activity_duration_seconds_count", "activity_name", "Ship", "outcome", "app_error")).isEqualTo(1.0);
            assertThat(s.sum("duroxide_activity_duration_seconds_count", "activity_name", "Charge", "outcome", "retry")).isEqualTo(6.0);
            assertThat(s.sum("duroxide_orchestration_duration_seconds_count", "status", "failed"))
                    .isEqualTo(truth.of("duration_count").entrySet().stream().filter(e -> e.getKey().contains("|failed"))
                            .mapToDouble(java.util.Map.Entry::getValue).sum());
            // INCLUDE_ERROR_MESSAGES: a normalised message label on every error counter series
            assertThat(s.labelValues("duroxide_activity_errors_total", "error_message"))
                    .contains("item fail-<n> is out of stock", "card declined on attempt <n>");
            assertThat(s.labelKeySets("duroxide_orchestration_failures_total")).allMatch(k -> k.contains("error_message"));
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }
}
