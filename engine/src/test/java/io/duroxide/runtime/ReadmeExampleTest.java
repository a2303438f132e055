package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedded start, run as written against a temp SQLite file, and compared with the README's
 * text so the two cannot drift apart: the lines between the markers below must appear verbatim in README.md.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path POM = Path.of("pom.xml");
    private static final Path THIS_SOURCE = Path.of("src", "test", "java", "io", "duroxide", "runtime", "ReadmeExampleTest.java");
    private static final String BEGIN = "// README example begins";
    private static final String END = "// README example ends";

    @TempDir
    Path dir;

    @Test
    void theExamplePrintsTheGreetings() {
        Path file = dir.resolve("hello.db");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            example(file);
        } finally {
            System.setOut(stdout);
        }

        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("COMPLETED Hello, Tokyo! Hello, Seattle!" + System.lineSeparator());
        assertThat(file).isNotEmptyFile();
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        String source = Files.readString(THIS_SOURCE);
        // The markers' last occurrences (the first are the constants above); from the line after BEGIN to the
        // line before END, indented as the README's main method indents it.
        int begin = source.lastIndexOf(BEGIN) + BEGIN.length() + 1;
        String example = source.substring(begin, source.lastIndexOf('\n', source.lastIndexOf(END)) + 1);

        assertThat(example).contains("SqliteProvider.open(file)").contains("runtime.client()");
        assertThat(Files.readString(README)).contains(example);
    }

    @Test
    void theReadmeShowsThisModulesCoordinates() throws IOException {
        // The engine's pom inherits groupId and version from the parent block, which comes first.
        String pom = Files.readString(POM);
        String parent = pom.substring(pom.indexOf("<parent>"), pom.indexOf("</parent>"));
        String dependency = "<dependency>\n"
                + "  <groupId>" + element(parent, "groupId") + "</groupId>\n"
                + "  <artifactId>" + element(pom.substring(pom.indexOf("</parent>")), "artifactId") + "</artifactId>\n"
                + "  <version>" + element(parent, "version") + "</version>\n"
                + "</dependency>\n";

        assertThat(dependency).contains("<artifactId>duroxide-engine</artifactId>");
        assertThat(Files.readString(README)).contains(dependency);
    }

    private static String element(String xml, String name) {
        int start = xml.indexOf("<" + name + ">") + name.length() + 2;
        return xml.substring(start, xml.indexOf("</" + name + ">", start));
    }

    private static void example(Path file) {
        // README example begins
        Registry registry = new Registry()
                .addActivity("Greet", String.class, (ctx, name) -> "Hello, " + name + "!")
                .addOrchestration("HelloCities", String.class, (ctx, input) -> {
                    String a = ctx.callActivity("Greet", "Tokyo", String.class).await();
                    String b = ctx.callActivity("Greet", "Seattle", String.class).await();
                    return a + " " + b;
                });

        try (SqliteProvider store = SqliteProvider.open(file);
             DuroxideRuntime runtime = DuroxideRuntime.builder(store, registry).build().start()) {
            DuroxideClient client = runtime.client();
            String id = client.startOrchestration("HelloCities", null);
            InstanceStatus done = client.waitForCompletion(id, Duration.ofSeconds(30));
            System.out.println(done.status() + " " + done.outputAs(String.class));
        }
        // README example ends
    }
}
