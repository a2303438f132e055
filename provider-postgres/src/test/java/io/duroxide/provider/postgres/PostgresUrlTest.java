package io.duroxide.provider.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.Driver;

/** A URL pgjdbc would refuse or warn about is refused before pgjdbc sees it, with one masked message. */
class PostgresUrlTest {
    private static final String SECRET = "s3cr3t";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        postgres://u:s3cr3t@localhost/duroxide                              | not a PostgreSQL JDBC URL
        jdbc:mysql://localhost/duroxide?user=u&password=s3cr3t              | not a PostgreSQL JDBC URL
        jdbc:postgresql://u:s3cr3t@localhost/duroxide                       | user and password cannot precede the host
        jdbc:postgresql://localhost:5432?user=u&password=s3cr3t             | no '/' and database name after the host and port
        jdbc:postgresql://localhost:5432duroxide/x?user=u&password=s3cr3t   | port '5432duroxide' is not a number
        jdbc:postgresql://localhost:99999/duroxide?password=s3cr3t          | port '99999' is not a number
        jdbc:postgresql://localhost/duroxide?user=u&password=s3cr3t%zz      | a parameter is not correctly %-encoded
        """)
    void aMalformedUrlIsRefusedInOneChildJvmLineThatHidesThePassword(String url, String fault, @TempDir Path dir)
            throws Exception {
        ChildRun run = openInChildJvm(url, dir);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).hasSize(1);
        assertThat(run.stdout().get(0)).startsWith("refused: invalid PostgreSQL URL '").contains(fault);
        assertThat(String.join("\n", run.stdout())).doesNotContain(SECRET);
        assertThat(run.stderr()).as("nothing on stderr, in particular no driver warning quoting the URL").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        jdbc:postgresql://u:s3cr3t@localhost/duroxide
        jdbc:postgresql://localhost:5432?user=u&password=s3cr3t
        jdbc:postgresql://localhost:5432duroxide/x?user=u&password=s3cr3t
        jdbc:postgresql://localhost/duroxide?user=u&password=s3cr3t%zz
        """)
    void whatIsRefusedIsWhatPgjdbcCannotParse(String url) {
        assertThat(Driver.parseURL(url, null)).isNull();
        assertThatThrownBy(() -> PostgresOptions.of(url)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        jdbc:postgresql://localhost:5432/duroxide?user=u&password=s3cr3t
        jdbc:postgresql://localhost/duroxide
        jdbc:postgresql://h1:5432,h2:5433/duroxide?targetServerType=primary
        jdbc:postgresql://[::1]:5432/duroxide
        jdbc:postgresql:duroxide
        jdbc:postgresql://localhost/
        """)
    void whatPgjdbcParsesIsAccepted(String url) {
        assertThat(Driver.parseURL(url, null)).isNotNull();
        assertThat(PostgresOptions.of(url).url()).isEqualTo(url);
        assertThat(PostgresOptions.of(url).toString()).doesNotContain(SECRET);
    }

    private record ChildRun(int exitCode, List<String> stdout, List<String> stderr) {}

    private static ChildRun openInChildJvm(String url, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OpenFromCommandLine.class.getName(), url)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not end within 2 minutes");
        }
        return new ChildRun(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                Files.readAllLines(err, StandardCharsets.UTF_8));
    }
}
