package io.duroxide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code duroxide.jar} as a process with the java running the tests, as a user would. */
final class CliProcess {
    private static final long DEADLINE_SECONDS = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CliProcess() {}

    /** What one run printed, and its exit code. */
    record Result(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON (exit " + exitCode + ", stderr: " + err + "):\n" + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("cli.jar", "target/duroxide.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: run the ITs after package (mvn verify)");
        }
        return jar;
    }

    static Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("duroxide-cli", ".out");
            Path err = Files.createTempFile("duroxide-cli", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("duroxide " + String.join(" ", args) + " still running after "
                            + DEADLINE_SECONDS + " s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
