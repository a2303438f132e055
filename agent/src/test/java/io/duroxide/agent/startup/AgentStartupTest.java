package io.duroxide.agent.startup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentStartupTest {
    @Test
    void gateRecognisesClassesThatMentionTheEngine() {
        assertThat(AgentStartup.Gate.mentionsEngine("xx io/duroxide/api/Registry yy".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(AgentStartup.Gate.mentionsEngine("io/duroxid".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(AgentStartup.Gate.mentionsEngine("java/lang/Object".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(AgentStartup.Gate.mentionsEngine(null)).isFalse();
        assertThat(AgentStartup.Gate.mentionsEngine("io/duroxide/".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(AgentStartup.Gate.mentionsEngine("iio/duroxidio/duroxide/x".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(AgentStartup.Gate.mentionsEngine("io/duroxide".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(AgentStartup.Gate.mentionsEngine("io/duroxidE/".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(AgentStartup.Gate.mentionsEngine(new byte[0])).isFalse();
    }

    @Test
    void gateScanAgreesWithANaiveSearch() {
        java.util.Random random = new java.util.Random(5);
        byte[] alphabet = "io/duroxide/x".getBytes(StandardCharsets.US_ASCII);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = alphabet[random.nextInt(alphabet.length)];
            }
            String text = new String(b, StandardCharsets.US_ASCII);
            assertThat(AgentStartup.Gate.mentionsEngine(b)).as(text).isEqualTo(text.contains("io/duroxide/"));
        }
    }

    @Test
    void bootstrapJarWriterWritesAValidJar(@TempDir Path dir) throws Exception {
        BootstrapJarWriter jar = new BootstrapJarWriter();
        byte[] a = "hello".getBytes(StandardCharsets.UTF_8);
        jar.add("a/B.class", a);
        jar.add("c/D.class", new byte[0]);
        Path file = dir.resolve("x.jar");
        Files.write(file, jar.toByteArray());
        try (JarFile read = new JarFile(file.toFile())) {
            assertThat(read.getInputStream(read.getEntry("a/B.class")).readAllBytes()).isEqualTo(a);
            assertThat(read.getEntry("c/D.class").getSize()).isZero();
            assertThat(read.size()).isEqualTo(2);
        }
    }

    /** Every class of the bridge package goes to the bootstrap loader; one left out fails the agent's start. */
    @Test
    void bridgeJarListsEveryClassOfTheBridgePackage() throws Exception {
        Path compiled = Path.of(io.duroxide.agent.bootstrap.Bridge.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(AgentStartup.BRIDGE_PACKAGE);
        try (var files = Files.list(compiled)) {
            assertThat(files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".class"))
                    .map(n -> n.substring(0, n.length() - ".class".length())))
                    .containsExactlyInAnyOrder(AgentStartup.BRIDGE_CLASSES);
        }
    }
}
