package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The shaded jar: manifest, and every class outside the agent's own package relocated under it. */
class AgentJarIT {
    @Test
    void everyClassIsTheAgentsOwnOrRelocatedUnderItsPrivatePackage() throws Exception {
        assertThat(ChildJvm.AGENT_JAR).exists().hasFileName("duroxide-agent.jar");
        List<String> foreign = new ArrayList<>();
        int classes = 0;
        int shaded = 0;
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                classes++;
                if (name.startsWith("io/duroxide/agent/shaded/")) {
                    shaded++;
                } else if (!name.startsWith("io/duroxide/agent/")) {
                    foreign.add(name);
                }
            }
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Premain-Class")).isEqualTo("io.duroxide.agent.DuroxideAgent");
            assertThat(main.getValue("Agent-Class")).isEqualTo("io.duroxide.agent.DuroxideAgent");
            assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
            for (String lib : List.of("net/bytebuddy/", "io/micrometer/", "io/prometheus/", "org/HdrHistogram/")) {
                assertThat(jar.getEntry("io/duroxide/agent/shaded/" + lib)).as(lib).isNotNull();
            }
            // the bootstrap bridge uses JDK types only: no engine, no agent, no shaded reference
            List<JarEntry> bridgeClasses = jar.stream().filter(e -> e.getName().startsWith("io/duroxide/agent/bootstrap/")).toList();
            assertThat(bridgeClasses).hasSizeGreaterThanOrEqualTo(9); // the bridge, four sinks, four events
            for (JarEntry entry : bridgeClasses) {
                String bridge = entry.getName();
                byte[] bytes = jar.getInputStream(entry).readAllBytes();
                String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("io/duroxide/agent/bootstrap/", "");
                assertThat(text).as(bridge).doesNotContain("io/duroxide/", "net/bytebuddy", "io/micrometer");
            }
        }
        assertThat(foreign).as("unrelocated classes").isEmpty();
        assertThat(classes).isGreaterThan(1000);
        assertThat(shaded).isGreaterThan(classes - 100);
        // the engine is never shipped inside the agent
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            assertThat(jar.stream().map(JarEntry::getName)).noneMatch(n -> n.startsWith("io/duroxide/runtime/")
                    || n.startsWith("io/duroxide/observe/")
                    || n.startsWith("io/duroxide/api/") || n.startsWith("io/duroxide/provider/"));
        }
    }
}
