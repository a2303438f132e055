package io.duroxide.agenttests;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child JVM running a workload main class, optionally with the real shaded agent jar as -javaagent. */
public final class ChildJvm implements AutoCloseable {
    static final Path AGENT_JAR = Path.of(System.getProperty("agent.jar", "../agent/target/duroxide-agent.jar")).toAbsolutePath().normalize();
    static final Path CHILD_CLASSES = Path.of(System.getProperty("child.classes", "target/classes"));
    static final Path CONFLICT_LIBS = Path.of(System.getProperty("conflict.libs", "target/conflict-libs"));
    static final Path WORK = Path.of(System.getProperty("work.dir", "target/it-work"));

    /** The engine + its runtime dependencies (no agent, no test libraries). */
    static List<String> engineClasspath() {
        try {
            String text = Files.readString(Path.of(System.getProperty("child.classpath.file", "target/child-classpath.txt"))).trim();
            List<String> out = new ArrayList<>();
            for (String e : text.split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    out.add(e);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String classpath(List<String> entries) {
        return String.join(File.pathSeparator, entries);
    }

    static String workloadClasspath() {
        List<String> cp = new ArrayList<>();
        cp.add(CHILD_CLASSES.toString());
        cp.addAll(engineClasspath());
        return classpath(cp);
    }

    public static final class Builder {
        String javaHome = System.getProperty("java.home");
        boolean agent = true;
        String agentArgs;
        String classpath;
        String mainClass = "io.duroxide.agenttests.apps.Workload";
        final List<String> args = new ArrayList<>();
        final List<String> jvmArgs = new ArrayList<>();
        final Map<String, String> env = new LinkedHashMap<>();
        String name = "child";

        Builder javaHome(String home) {
            javaHome = home;
            return this;
        }

        Builder noAgent() {
            agent = false;
            return this;
        }

        Builder agentArgs(String a) {
            agentArgs = a;
            return this;
        }

        public Builder classpath(String cp) {
            classpath = cp;
            return this;
        }

        public Builder main(String cls) {
            mainClass = cls;
            return this;
        }

        public Builder args(String... a) {
            args.addAll(List.of(a));
            return this;
        }

        Builder jvm(String... a) {
            jvmArgs.addAll(List.of(a));
            return this;
        }

        /**
         * The agent binds a port the kernel picks ({@code DUROXIDE_METRICS_PORT=0}) and {@link ChildJvm#metricsPort}
         * reads which from its start-up line: a port chosen by the test and bound later by the child could be
         * taken in between, by another child or by any connection's ephemeral port.
         */
        public Builder metricsOnFreePort() {
            return env("DUROXIDE_METRICS_PORT", "0");
        }

        public Builder env(String k, String v) {
            env.put(k, v);
            return this;
        }

        public Builder name(String n) {
            name = n;
            return this;
        }

        public ChildJvm start() throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(javaHome, "bin", "java").toString());
            cmd.add("-Xshare:auto");
            cmd.add("-XX:TieredStopAtLevel=1");
            cmd.add("-Xmx256m");
            if (agent) {
                cmd.add("-javaagent:" + AGENT_JAR + (agentArgs == null ? "" : "=" + agentArgs));
            }
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(classpath != null ? classpath : workloadClasspath());
            cmd.add(mainClass);
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // a clean environment as far as the agent is concerned: only what the test sets
            pb.environment().keySet().removeIf(k -> k.startsWith("DUROXIDE_METRICS_") || k.equals("JAVA_TOOL_OPTIONS"));
            pb.environment().putAll(env);
            return new ChildJvm(name, pb.start(), cmd);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final List<String> command;

    private ChildJvm(String name, Process process, List<String> command) {
        this.name = name;
        this.process = process;
        this.command = command;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    long pid() {
        return process.pid();
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    public String output() {
        return String.join("\n", lines());
    }

    /** Waits for a line matching the predicate; fails with the output so far if the deadline passes or the JVM ends. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": expected line not seen within " + timeout + "; output:\n" + output());
                }
                if (!process.isAlive() && seen == lines.size()) {
                    lines.wait(200); // let the reader drain
                    if (seen == lines.size()) {
                        throw new AssertionError(name + " exited (" + process.exitValue() + ") before the expected line; output:\n"
                                + String.join("\n", lines));
                    }
                    continue;
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
            }
        }
    }

    String awaitDone(Duration timeout) throws InterruptedException {
        return awaitLine(l -> l.startsWith("DONE"), timeout);
    }

    /** The port the agent reports in its start-up line (waits up to a minute for it). */
    public int metricsPort() throws InterruptedException {
        String line = awaitLine(l -> l.startsWith("[duroxide-agent] metrics "), Duration.ofSeconds(60));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("http://[^ ]*:(\\d+)/").matcher(line);
        if (!m.find()) {
            throw new AssertionError("no port in: " + line);
        }
        return Integer.parseInt(m.group(1));
    }

    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Tells the workload to finish and waits for the JVM to exit; returns the exit code. */
    int finish(Duration timeout) throws Exception {
        try {
            send("exit");
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "; output:\n" + output());
        }
        Thread.sleep(50);
        return process.exitValue();
    }

    void signal(String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + sig + " failed");
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + " " + command;
    }
}
