package io.duroxide.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A workload main class running in a child JVM on this JVM's test class path, its stdout and stderr
 * captured in one file. Whatever the test concludes about the child, {@link #report()} puts its exit code
 * and that output into the assertion message: the test's temporary folder is deleted after a run, so an
 * output left there explains nothing about a failure on a machine nobody can log into afterwards.
 */
public record WorkloadProcess(Process process, Path output) {

    public static WorkloadProcess start(Class<?> mainClass, Path output, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-cp", classpath, mainClass.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        return new WorkloadProcess(process, output);
    }

    /** Waits for the child to exit and returns its exit code; fails with {@link #report()} if it runs past the deadline. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + ": " + report());
        }
        return process.exitValue();
    }

    /** SIGKILLs the child and waits until it is gone, so the next one never overlaps it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** The child's state (exit code, or still running) and everything it has written so far. */
    public String report() {
        String state = process.isAlive() ? "still running" : "exit code " + process.exitValue();
        String text;
        try {
            text = Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "child " + process.pid() + ", " + state + ", output (" + output.getFileName() + "):\n" + text;
    }
}
