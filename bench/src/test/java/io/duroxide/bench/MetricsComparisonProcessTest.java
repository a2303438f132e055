package io.duroxide.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator with the real agent jar, in child JVMs, where its process's counters and its run's ground
 * truth are different sets of work: it must say so rather than report mismatches that are not there.
 */
class MetricsComparisonProcessTest {
    private static final Path AGENT = Path.of("..", "agent", "target", "duroxide-agent.jar").toAbsolutePath().normalize();

    @Test
    @Timeout(600)
    void aRunAfterAKilledOneOnTheSameFileMakesNoFalseComparison(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("restart.db");
        Path killedOut = dir.resolve("killed.txt");
        Process killed = start(dir, killedOut, "--db", db.toString(), "--duration", "60", "--rate", "20");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (Files.readAllLines(killedOut).stream().noneMatch(l -> l.startsWith("t=2s")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        killed.destroyForcibly(); // SIGKILL
        assertThat(killed.waitFor(1, TimeUnit.MINUTES)).isTrue();

        List<String> out = finish(start(dir, dir.resolve("restarted.txt"), "--db", db.toString(), "--duration", "2"),
                dir.resolve("restarted.txt"));

        assertThat(out).anyMatch(l -> l.matches("metrics not compared: [1-9][0-9]* instances of other runs were unfinished.*"))
                .noneMatch(l -> l.contains("MISMATCH") || l.startsWith("metrics lost"));
    }

    @Test
    @Timeout(600)
    void twoProcessesOnOneStoreMakeNoFalseComparison(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("shared.db");
        Process first = start(dir, dir.resolve("first.txt"), "--db", db.toString(), "--duration", "4", "--rate", "10");
        Process second = start(dir, dir.resolve("second.txt"), "--db", db.toString(), "--duration", "4", "--rate", "10");

        for (List<String> out : List.of(finish(first, dir.resolve("first.txt")), finish(second, dir.resolve("second.txt")))) {
            assertThat(out).anyMatch(l -> l.startsWith("metrics not compared: "))
                    .noneMatch(l -> l.contains("MISMATCH") || l.startsWith("metrics lost"));
        }
    }

    @Test
    @Timeout(600)
    void aRunAloneOnItsStoreIsComparedOnTheEndpointTheAgentBound(@TempDir Path dir) throws Exception {
        List<String> out = finish(start(dir, dir.resolve("alone.txt"), "--db", dir.resolve("alone.db").toString(),
                "--duration", "2"), dir.resolve("alone.txt"));

        assertThat(out).anyMatch(l -> l.matches("metrics from http://.*:[0-9]+/metrics compared with the database:"))
                .contains("metrics lost 0, counted twice 0");
    }

    /** The load generator's main in a child JVM with the agent on a free port; stdout and stderr go to {@code out}. */
    private static Process start(Path dir, Path out, String... args) throws IOException {
        assertThat(AGENT).as("the agent jar (mvn -DskipTests package -pl agent)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + AGENT, "-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("DUROXIDE_METRICS_PORT", "0");
        return pb.start();
    }

    private static List<String> finish(Process p, Path out) throws Exception {
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("load generator did not end within 5 minutes");
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        return lines;
    }
}
