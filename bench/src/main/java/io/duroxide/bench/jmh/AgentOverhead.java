package io.duroxide.bench.jmh;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's end-to-end cost on the fan-out workload, measured as pairs: each round runs {@link FanOutCpu} in a
 * fresh JVM once per variant (no agent; agent attached with {@code ENABLED=false}; agent on; agent with
 * {@code SAMPLE_RATE=0.1}), in a rotating order, and divides each variant's figures by the no-agent run of the same
 * round. On a shared 2-core machine one JVM's throughput differs from the next one's by 10-25 % whatever runs in
 * it, so a single fork per variant cannot resolve a 2 % effect; the median of many paired ratios can, and the
 * CPU time per orchestration (which other tenants' load disturbs much less than wall time) shows the agent's own
 * work directly. The JIT compilers' time in the measured part is shown too: it is in the CPU figure, and a JVM
 * with the agent has more code to compile.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.duroxide.bench.jmh.AgentOverhead [ROUNDS] [WARM-UP] [MEASURED] [AGENT_JAR]</pre>
 * Defaults: 7 rounds, 15,000 warm-up and 10,000 measured orchestrations, {@code agent/target/duroxide-agent.jar}.
 * The warm-up is long because the JIT keeps compiling for that long on 2 cores: measured in slices of 1,000,
 * one JVM's CPU per orchestration still fell from about 1.6 to 1.0 ms between its 8,000th and 14,000th
 * orchestration, and a JVM with the agent has more code to compile, so a short warm-up charges that to the agent.
 * The agent runs as operators run it, with its endpoint up (on a free port) and no scraper: its registry is built
 * when the held calls reach the backlog, within the warm-up.
 */
public final class AgentOverhead {
    private AgentOverhead() {}

    record Variant(String name, List<String> jvmArgs) {}

    /** One run's figures: orchestrations per second, CPU milliseconds per orchestration, JIT compiler milliseconds. */
    record Run(double perSecond, double cpuMillis, double jitMillis) {}

    private static final Pattern RESULT = Pattern.compile("orch/s (\\d+)\\s+cpu ms/orch ([0-9.]+).*jit ms (\\d+)");

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String warmUp = args.length > 1 ? args[1] : "15000";
        String measured = args.length > 2 ? args[2] : "10000";
        Path agent = Path.of(args.length > 3 ? args[3] : AgentJar.PATH).toAbsolutePath();
        if (!Files.isRegularFile(agent)) {
            throw new IllegalArgumentException(agent + " not found: run from the repository root after mvn -DskipTests package");
        }
        String on = "-javaagent:" + agent;
        List<Variant> variants = List.of(
                new Variant("no agent", List.of()),
                new Variant("agent, ENABLED=false", List.of(on, "-Dduroxide.metrics.enabled=false")),
                new Variant("agent on", List.of(on, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.log=quiet")),
                new Variant("agent, SAMPLE_RATE=0.1", List.of(on, "-Dduroxide.metrics.port=0", "-Dduroxide.metrics.log=quiet",
                        "-Dduroxide.metrics.sample.rate=0.1")));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = Path.of(AgentOverhead.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();

        Map<Variant, List<Run>> runs = new LinkedHashMap<>();
        variants.forEach(v -> runs.put(v, new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get((i + r) % variants.size());
                Run run = run(java, classPath, v, warmUp, measured);
                runs.get(v).add(run);
                System.out.printf("round %d  %-24s %6.0f orch/s  %.3f cpu ms/orch  %5.0f ms jit%n", r + 1, v.name(), run.perSecond(),
                        run.cpuMillis(), run.jitMillis());
            }
        }

        List<Run> base = runs.get(variants.get(0));
        System.out.printf("%n%d rounds, %s measured orchestrations per run; ratios to the no-agent run of the same round (median, min..max)%n",
                rounds, measured);
        System.out.printf("%-24s %10s %24s %10s %26s %8s%n", "variant", "orch/s", "throughput ratio", "cpu ms", "cpu ratio (>1 = more)",
                "jit ms");
        for (Variant v : variants) {
            List<Run> own = runs.get(v);
            double[] throughput = new double[rounds];
            double[] cpu = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                throughput[r] = own.get(r).perSecond() / base.get(r).perSecond();
                cpu[r] = own.get(r).cpuMillis() / base.get(r).cpuMillis();
            }
            System.out.printf("%-24s %10.0f %24s %10.3f %26s %8.0f%n", v.name(), median(own.stream().mapToDouble(Run::perSecond).toArray()),
                    summary(throughput), median(own.stream().mapToDouble(Run::cpuMillis).toArray()), summary(cpu),
                    median(own.stream().mapToDouble(Run::jitMillis).toArray()));
        }
    }

    private static Run run(String java, String classPath, Variant v, String warmUp, String measured) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(v.jvmArgs());
        command.addAll(List.of("-cp", classPath, FanOutCpu.class.getName(), warmUp, measured));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("DUROXIDE_METRICS_") || k.equals("JAVA_TOOL_OPTIONS"));
        Process p = pb.start();
        Run result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = RESULT.matcher(line);
                if (m.find()) {
                    result = new Run(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)));
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(v.name() + ": FanOutCpu did not exit within 10 minutes");
        }
        if (p.exitValue() != 0 || result == null) {
            throw new IllegalStateException(v.name() + ": FanOutCpu failed (exit " + p.exitValue() + "):\n" + output);
        }
        return result;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String summary(double[] values) {
        return String.format("%.3f (%.3f..%.3f)", median(values), Arrays.stream(values).min().orElse(0), Arrays.stream(values).max().orElse(0));
    }
}
