package io.duroxide.bench.startup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up cost of the agent: launches {@link StartupProbe} in fresh JVMs, without the agent, with the agent
 * attached but disabled, and with the agent on, and reports per variant the median (and min..max) of
 *
 * <ul>
 *   <li><b>first</b>: wall time from launching the process until it printed that its first orchestration
 *       completed (measured here, outside the child, so JVM creation and premain count);</li>
 *   <li><b>jvm</b>: the same point as the child measures it from its JVM start time (RuntimeMXBean);</li>
 *   <li><b>served</b> (agent on only): the time since JVM start at which the agent's endpoint first counted that
 *       orchestration's completion, scraped by the child right after it completed. The agent builds its metrics
 *       registry on demand (at the first scrape), so this is where the work it keeps out of the application's
 *       start-up shows;</li>
 *   <li><b>exit</b>: wall time from launch until the process ended (closing the runtime, shutdown hooks, and for
 *       the agent on, that scrape).</li>
 * </ul>
 *
 * The variants are interleaved round by round, in a rotating order, so a burst of load from other processes
 * on the machine spreads over all of them instead of landing on one. Run from the repository root:
 *
 * <pre>java -cp bench/target/benchmarks.jar io.duroxide.bench.startup.StartupCost [ROUNDS] [AGENT_JAR...]</pre>
 *
 * With several agent jars (e.g. before and after a change), each one gets its own "agent on" variant in the
 * same interleaved rounds; the first one is also used for "agent, ENABLED=false".
 */
public final class StartupCost {
    private StartupCost() {}

    /** {@code scrapes}: the child gets a free port for the agent's endpoint and scrapes it after its orchestration. */
    record Variant(String name, List<String> jvmArgs, boolean scrapes) {}

    record Sample(long firstMs, long jvmMs, long servedMs, long exitMs) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<Path> agents = new ArrayList<>();
        for (int i = 1; i < Math.max(2, args.length); i++) {
            Path agent = Path.of(i < args.length ? args[i] : "agent/target/duroxide-agent.jar").toAbsolutePath();
            if (!Files.isRegularFile(agent)) {
                throw new IllegalArgumentException(agent + " not found: run from the repository root after mvn -DskipTests package");
            }
            agents.add(agent);
        }
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("no agent", List.of(), false));
        variants.add(new Variant("agent, ENABLED=false", List.of("-javaagent:" + agents.get(0), "-Dduroxide.metrics.enabled=false"), false));
        for (Path agent : agents) {
            variants.add(new Variant(agents.size() == 1 ? "agent on" : "on: " + agent.getFileName(),
                    List.of("-javaagent:" + agent, "-Dduroxide.metrics.log=quiet"), true));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = Path.of(StartupCost.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();

        Map<Variant, List<Sample>> samples = new LinkedHashMap<>();
        variants.forEach(v -> samples.put(v, new ArrayList<>()));
        run(java, classPath, variants.get(0)); // warms the OS file cache (jars, JDK modules); not counted
        run(java, classPath, variants.get(2));
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get((i + r) % variants.size());
                samples.get(v).add(run(java, classPath, v));
            }
        }

        System.out.printf("start-up to the first completed orchestration, %d interleaved runs per variant (median, min..max, ms)%n", rounds);
        System.out.printf("%-30s %18s %18s %12s %18s %18s%n", "variant", "first (external)", "jvm (in child)", "added first",
                "served (in child)", "exit (external)");
        double base = median(samples.get(variants.get(0)), Sample::firstMs);
        for (Variant v : variants) {
            List<Sample> s = samples.get(v);
            double first = median(s, Sample::firstMs);
            System.out.printf("%-30s %18s %18s %+12.0f %18s %18s%n", v.name(), summary(s, Sample::firstMs), summary(s, Sample::jvmMs),
                    first - base, v.scrapes() ? summary(s, Sample::servedMs) : "-", summary(s, Sample::exitMs));
        }
    }

    private static Sample run(String java, String classPath, Variant v) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(v.jvmArgs());
        if (v.scrapes()) {
            int port = freePort();
            command.add("-Dduroxide.metrics.port=" + port);
            command.add("-D" + StartupProbe.SCRAPE + "=http://127.0.0.1:" + port + "/metrics");
        }
        command.addAll(List.of("-cp", classPath, StartupProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS"); // an inherited agent or flag would change every variant
        long start = System.nanoTime();
        Process p = pb.start();
        long first = -1;
        long jvm = -1;
        long served = -1;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(StartupProbe.DONE) && first < 0) {
                    first = System.nanoTime() - start;
                } else if (line.startsWith(StartupProbe.SERVED)) {
                    served = Long.parseLong(line.substring(StartupProbe.SERVED.length()).trim());
                } else if (line.startsWith("since-jvm-start-ms ")) {
                    jvm = Long.parseLong(line.substring("since-jvm-start-ms ".length()).trim());
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(v.name() + ": the probe did not exit");
        }
        long exit = System.nanoTime() - start;
        if (p.exitValue() != 0 || first < 0 || (v.scrapes() && served < 0)) {
            throw new IllegalStateException(v.name() + ": the probe failed (exit " + p.exitValue() + "):\n" + output);
        }
        return new Sample(TimeUnit.NANOSECONDS.toMillis(first), jvm, served, TimeUnit.NANOSECONDS.toMillis(exit));
    }

    /** A port free now (the child binds it a moment later; nothing else of ours takes ports meanwhile). */
    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    interface Field {
        long of(Sample s);
    }

    static double median(List<Sample> samples, Field f) {
        long[] v = samples.stream().mapToLong(f::of).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    private static String summary(List<Sample> samples, Field f) {
        long[] v = samples.stream().mapToLong(f::of).toArray();
        return String.format("%.0f (%d..%d)", median(samples, f), Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0));
    }
}
