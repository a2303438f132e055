package io.duroxide.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The load generator run as a real process (its main in a child JVM) against stores it cannot use. */
class LoadGeneratorProcessTest {

    record Run(int exitCode, List<String> stdout, List<String> stderr) {}

    @Test
    @Timeout(300)
    void aReadOnlyDatabaseFileIsOneClearLineAndExitCode1(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("ro.db");
        Run first = run(dir, "--db", db.toString(), "--duration", "1", "--rate", "5");
        assertThat(first.exitCode()).as("a writable file is used: %s", first.stderr()).isZero();
        ReadOnly readOnly = ReadOnly.make(db);
        try {
            Run run = run(dir, "--db", db.toString(), "--duration", "2");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.stderr()).hasSize(1);
            assertThat(run.stderr().get(0)).startsWith("error: cannot start instance ")
                    .contains("readonly database").endsWith("(0 instances started, 1 failed start attempts)");
            assertThat(run.stdout()).noneMatch(line -> line.startsWith("t=") || line.contains("ground truth"));
        } finally {
            readOnly.undo();
        }
    }

    /**
     * Makes a file read-only even for root, who ignores permission bits: as root the immutable attribute
     * (chattr +i) is set as well.
     */
    record ReadOnly(Path file, boolean immutable) {
        static ReadOnly make(Path file) throws Exception {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                exec("chattr", "+i", file.toString());
            }
            return new ReadOnly(file, root);
        }

        void undo() throws Exception {
            if (immutable) {
                exec("chattr", "-i", file.toString());
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }

        private static void exec(String... command) throws Exception {
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
        }
    }

    static Run run(Path dir, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("load generator did not end within 4 minutes");
        }
        return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), Files.readAllLines(err, StandardCharsets.UTF_8));
    }
}
