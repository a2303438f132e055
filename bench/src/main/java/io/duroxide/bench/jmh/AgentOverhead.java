package io.duroxide.bench.jmh;

import io.duroxide.bench.TempDirs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The agent's end-to-end cost on the fan-out workload, measured time-sliced: each round starts one JVM per variant
 * (no agent; agent attached with {@code ENABLED=false}; agent on; agent with {@code SAMPLE_RATE=0.1}), all at once,
 * and lets exactly one of them run at a time, in turns of {@code SLOT-MS}, by stopping and continuing the processes
 * ({@code SIGSTOP}/{@code SIGCONT}). A variant's throughput is the orchestrations it completed during its own turns
 * after its warm-up, divided by the length of those turns; its CPU time per orchestration comes from the kernel's
 * accounting of the process.
 *
 * <p>Why this shape: on a shared 2-core VM the machine itself gets faster and slower by 10-30 % over tens of seconds
 * (other tenants, CPU steal), so JVMs run one after the other see different machines, and a 2 % effect drowns; run
 * side by side they would compete for the two cores. Taking turns of a second, every variant samples the same
 * minutes of the same machine. What is left between rounds is each JVM's own luck (what its JIT compiled), hence
 * several rounds and their median.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.duroxide.bench.jmh.AgentOverhead [ROUNDS] [WARM-UP] [MEASURED-SECONDS] [SLOT-MS] [AGENT_JAR]</pre>
 * Defaults: 5 rounds, 15,000 warm-up orchestrations (the JIT is still compiling after 8,000 on 2 cores), 30 measured
 * seconds per variant, 1,000 ms turns, {@code agent/target/duroxide-agent.jar}. Linux only ({@code /proc}, {@code kill}).
 * The agent runs as operators run it, endpoint up on a free port and nobody scraping: its registry is built when
 * the held calls reach the backlog, within the warm-up.
 */
public final class AgentOverhead {
    private AgentOverhead() {}

    record Variant(String name, List<String> jvmArgs) {}

    /** A variant's measured turns in one round: seconds run, orchestrations completed, CPU clock ticks used. */
    record Totals(double seconds, long orchestrations, long cpuTicks, Map<String, Long> threadTicks) {
        double perSecond() {
            return orchestrations / seconds;
        }

        double cpuMillisPerOrchestration() {
            return cpuTicks * ThreadGroupsCpu.MILLIS_PER_TICK / orchestrations;
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 15_000;
        double measuredSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 30;
        long slotMillis = args.length > 3 ? Long.parseLong(args[3]) : 1_000;
        Path agent = Path.of(args.length > 4 ? args[4] : AgentJar.PATH).toAbsolutePath();
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

        Map<Variant, List<Totals>> results = new LinkedHashMap<>();
        variants.forEach(v -> results.put(v, new ArrayList<>()));
        try (Signals signals = new Signals()) {
            for (int r = 1; r <= rounds; r++) {
                Map<Variant, Totals> round = runRound(variants, warmUp, measuredSeconds, slotMillis, signals);
                Totals base = round.get(variants.get(0));
                for (Variant v : variants) {
                    Totals t = round.get(v);
                    results.get(v).add(t);
                    System.out.printf("round %d  %-24s %6.0f orch/s  %.3f cpu ms/orch  ratio %.3f  (%.0f s, %d orchestrations)%n", r, v.name(),
                            t.perSecond(), t.cpuMillisPerOrchestration(), t.perSecond() / base.perSecond(), t.seconds(), t.orchestrations());
                }
            }
        }

        List<Totals> base = results.get(variants.get(0));
        System.out.printf("%n%d rounds of %.0f s per variant in %d ms turns, after %d warm-up orchestrations; ratios to the no-agent"
                + " JVM of the same round (median, min..max)%n", rounds, measuredSeconds, slotMillis, warmUp);
        System.out.printf("%-24s %10s %24s %10s %26s%n", "variant", "orch/s", "throughput ratio", "cpu ms", "cpu ratio (>1 = more)");
        for (Variant v : variants) {
            List<Totals> own = results.get(v);
            double[] throughput = new double[rounds];
            double[] cpu = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                throughput[r] = own.get(r).perSecond() / base.get(r).perSecond();
                cpu[r] = own.get(r).cpuMillisPerOrchestration() / base.get(r).cpuMillisPerOrchestration();
            }
            System.out.printf("%-24s %10.0f %24s %10.3f %26s%n", v.name(), median(own.stream().mapToDouble(Totals::perSecond).toArray()),
                    summary(throughput), median(own.stream().mapToDouble(Totals::cpuMillisPerOrchestration).toArray()), summary(cpu));
        }
        printThreadKinds(variants, results);
    }

    /** Kinds of thread, by the name groups of {@link ThreadGroupsCpu}, in the order printed. */
    private static final List<String> THREAD_KINDS = List.of("engine", "JIT", "GC", "agent", "other");

    private static String threadKind(String group) {
        if (group.startsWith("duroxide-agent")) {
            return "agent";
        }
        if (group.startsWith("orch-") || group.startsWith("work-") || group.startsWith("duroxide-") || group.equals("java")) {
            return "engine"; // "java" is the main thread, which starts the orchestrations and often leads group commits
        }
        if (group.contains("Compiler")) {
            return "JIT";
        }
        if (group.startsWith("GC ") || group.startsWith("G#") || group.equals("VM Thread")) {
            return "GC";
        }
        return "other";
    }

    /** Where each variant's CPU went over all rounds, by kind of thread, then by thread group. */
    private static void printThreadKinds(List<Variant> variants, Map<Variant, List<Totals>> results) {
        System.out.printf("%nCPU ms per 1,000 orchestrations by kind of thread, all rounds (engine: its dispatchers, workers and"
                + " the main thread that starts orchestrations)%n%-24s", "variant");
        THREAD_KINDS.forEach(k -> System.out.printf(" %8s", k));
        System.out.println();
        Map<Variant, String> details = new LinkedHashMap<>();
        for (Variant v : variants) {
            Map<String, Long> byGroup = new TreeMap<>();
            long orchestrations = 0;
            for (Totals t : results.get(v)) {
                t.threadTicks().forEach((group, ticks) -> byGroup.merge(group, ticks, Long::sum));
                orchestrations += t.orchestrations();
            }
            Map<String, Long> byKind = new TreeMap<>();
            byGroup.forEach((group, ticks) -> byKind.merge(threadKind(group), ticks, Long::sum));
            double thousands = orchestrations / 1000.0;
            System.out.printf("%-24s", v.name());
            THREAD_KINDS.forEach(k -> System.out.printf(" %8.1f", byKind.getOrDefault(k, 0L) * ThreadGroupsCpu.MILLIS_PER_TICK / thousands));
            System.out.println();
            details.put(v, ThreadGroupsCpu.describe(byGroup, thousands));
        }
        details.forEach((v, groups) -> System.out.printf("%-24s %s%n", v.name(), groups));
    }

    /** One JVM per variant, taking turns until each has run {@code measuredSeconds} after its warm-up. */
    private static Map<Variant, Totals> runRound(List<Variant> variants, int warmUp, double measuredSeconds, long slotMillis,
            Signals signals) throws Exception {
        Path dir = Files.createTempDirectory("duroxide-overhead-");
        List<Child> children = new ArrayList<>();
        try {
            for (Variant v : variants) {
                children.add(Child.start(v, dir, warmUp, signals));
            }
            for (int turn = 0; children.stream().anyMatch(c -> c.seconds < measuredSeconds); turn++) {
                // each cycle starts with another variant, so none always follows the same one
                for (int i = 0; i < children.size(); i++) {
                    Child c = children.get((i + turn) % children.size());
                    if (c.seconds < measuredSeconds) {
                        c.runTurn(slotMillis, signals);
                    }
                }
            }
            Map<Variant, Totals> round = new LinkedHashMap<>();
            for (Child c : children) {
                c.finish(signals);
                round.put(c.variant, new Totals(c.seconds, c.orchestrations, c.cpuTicks, c.threadTicks));
            }
            return round;
        } finally {
            for (Child c : children) {
                c.kill();
            }
            TempDirs.deleteRecursively(dir);
        }
    }

    /** One variant's JVM: stopped except during its turns. */
    private static final class Child {
        final Variant variant;
        final Process process;
        final SlicedFanOut.Counters counters;
        final Path output;
        double seconds;
        long orchestrations;
        long cpuTicks;
        /** The measured turns' CPU by thread group, to see where a variant's extra CPU goes. */
        final Map<String, Long> threadTicks = new TreeMap<>();

        private Child(Variant variant, Process process, SlicedFanOut.Counters counters, Path output) {
            this.variant = variant;
            this.process = process;
            this.counters = counters;
            this.output = output;
        }

        static Child start(Variant v, Path dir, int warmUp, Signals signals) throws Exception {
            String name = v.name().replaceAll("[^A-Za-z0-9]+", "-");
            Path counterFile = dir.resolve(name + ".counters");
            Path output = dir.resolve(name + ".out");
            SlicedFanOut.Counters counters = new SlicedFanOut.Counters(counterFile);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(v.jvmArgs());
            command.addAll(List.of("-cp", classPath(), SlicedFanOut.class.getName(), counterFile.toString(), Integer.toString(warmUp)));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("DUROXIDE_METRICS_") || k.equals("JAVA_TOOL_OPTIONS"));
            Process p = pb.start();
            // it runs only in its turns from here on; what it did before the stop is start-up, never measured
            signals.send("STOP", p.pid());
            return new Child(v, p, counters, output);
        }

        void runTurn(long slotMillis, Signals signals) throws Exception {
            boolean measuring = counters.phase() == SlicedFanOut.MEASURING;
            long completedBefore = counters.completed();
            long cpuBefore = cpuTicks(process.pid());
            Map<String, Long> threadsBefore = measuring ? ThreadGroupsCpu.ticksByGroup(process.pid()) : Map.of();
            signals.send("CONT", process.pid());
            long start = System.nanoTime();
            Thread.sleep(slotMillis);
            signals.send("STOP", process.pid());
            long end = System.nanoTime();
            awaitStopped(process.pid());
            if (!process.isAlive()) {
                throw new IllegalStateException(variant.name() + ": its JVM exited (" + process.exitValue() + "):\n" + Files.readString(output));
            }
            if (measuring) {
                seconds += (end - start) / 1e9;
                orchestrations += counters.completed() - completedBefore;
                cpuTicks += cpuTicks(process.pid()) - cpuBefore;
                ThreadGroupsCpu.addDifference(threadTicks, threadsBefore, ThreadGroupsCpu.ticksByGroup(process.pid()));
            }
        }

        void finish(Signals signals) throws Exception {
            counters.requestStop();
            signals.send("CONT", process.pid());
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(variant.name() + ": its JVM did not end cleanly:\n" + Files.readString(output));
            }
            counters.close();
        }

        /** SIGKILL ends a stopped process too. */
        void kill() throws IOException {
            process.destroyForcibly();
            counters.close();
        }
    }

    private static String classPath() throws Exception {
        return Path.of(AgentOverhead.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** utime + stime of the whole process, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        return ThreadGroupsCpu.cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** Waits until every thread of the process is stopped, so the counters and CPU time read after it are final. */
    private static void awaitStopped(long pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allThreadsStopped(pid)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("process " + pid + " did not stop within 10 s");
            }
            Thread.sleep(1);
        }
    }

    private static boolean allThreadsStopped(long pid) throws IOException {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return true; // exited
        }
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended
                }
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T' && state != 't' && state != 'Z' && state != 'X') {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Sends signals through one long-lived shell's built-in {@code kill}: a new process per signal would take a
     * few milliseconds at every turn's edge, charged to whichever variant runs then.
     */
    private static final class Signals implements AutoCloseable {
        private final Process shell;
        private final Writer commands;
        private final BufferedReader acknowledgements;

        Signals() throws IOException {
            shell = new ProcessBuilder("bash", "-c", "while read -r signal pid; do kill -\"$signal\" \"$pid\"; echo \"$?\"; done")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            commands = new OutputStreamWriter(shell.getOutputStream(), StandardCharsets.US_ASCII);
            acknowledgements = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII));
        }

        void send(String signal, long pid) throws IOException {
            commands.write(signal + " " + pid + "\n");
            commands.flush();
            String status = acknowledgements.readLine();
            if (!"0".equals(status)) {
                throw new IOException("kill -" + signal + " " + pid + " failed (" + status + ")");
            }
        }

        @Override
        public void close() throws IOException {
            commands.close();
            shell.destroy();
        }
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
