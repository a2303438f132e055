package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An application that uses only SQLite starts with the agent and prints nothing but its own lines and the agent's:
 * no JVM warning that class data sharing was given up for the application's classes (the agent puts its bridge
 * into the bootstrap loader without appending to its search path), and no SLF4J complaint about a missing provider
 * (the engine no longer brings HikariCP and slf4j-api; sqlite-jdbc logs through SLF4J whenever slf4j-api is on the
 * class path). The child's class path is the engine and its runtime dependencies as its pom declares them. On
 * the build's JDK and on JDK 25, with the engine on the class path and in an isolated class loader.
 */
class QuietStartIT {
    private static final String[] NOISE = {"Sharing is only supported", "SLF4J"};

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"build", "25"})
    void anSqliteOnlyApplicationStartsWithoutWarningsAndIsMeasured(String jdk) throws Exception {
        Path db = Ports.newDb("quiet-" + jdk);
        try (ChildJvm child = ChildJvm.builder().name("quiet-" + jdk).javaHome(javaHome(jdk))
                .classpath(ChildJvm.classpath(sqliteOnlyClasspath()))
                .metricsOnFreePort()
                .args("known", db.toString(), "3", "1").start()) {
            assertCountedAndQuiet(child, db);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"build", "25"})
    void anEngineInAnIsolatedClassLoaderIsMeasuredWithoutWarnings(String jdk) throws Exception {
        Path db = Ports.newDb("quiet-isolated-" + jdk);
        Path cpFile = db.resolveSibling("quiet-isolated-classpath.txt");
        Files.writeString(cpFile, ChildJvm.classpath(sqliteOnlyClasspath()));
        try (ChildJvm child = ChildJvm.builder().name("quiet-isolated-" + jdk).javaHome(javaHome(jdk))
                .main("io.duroxide.agenttests.apps.IsolatedLauncher")
                .classpath(ChildJvm.CHILD_CLASSES.toString())
                .metricsOnFreePort()
                .args(cpFile.toString(), "known", db.toString(), "3", "1").start()) {
            assertCountedAndQuiet(child, db);
        }
    }

    private static void assertCountedAndQuiet(ChildJvm child, Path db) throws Exception {
        int port = child.metricsPort();
        FailureMatrixIT.assertSmallWorkloadCounted(FailureMatrixIT.runSmall(child, port, db));
        assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        assertThat(child.output()).as("the child's stdout and stderr").doesNotContain(NOISE);
    }

    private static String javaHome(String jdk) {
        if (jdk.equals("build")) {
            return System.getProperty("java.home");
        }
        Path home = Path.of(System.getProperty("java25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK 25 at " + home);
        return home.toString();
    }

    /**
     * The workload's classes, the engine and the engine's own runtime dependencies (what its pom brings), nothing
     * else: an application that uses only SQLite.
     */
    private static List<String> sqliteOnlyClasspath() throws IOException {
        List<String> cp = new ArrayList<>(List.of(ChildJvm.CHILD_CLASSES.toString(), System.getProperty("engine.jar")));
        for (String e : Files.readString(Path.of(System.getProperty("engine.classpath.file"))).trim().split(File.pathSeparator)) {
            if (!e.isBlank()) {
                cp.add(e);
            }
        }
        assertThat(cp).as("the child's class path").anyMatch(e -> e.contains("sqlite-jdbc"));
        return cp;
    }
}
