package io.duroxide.bench.jmh;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.annotations.Fork;

/**
 * Checks that a benchmark fork runs the variant its class declares: with the agent if the class's
 * {@code @Fork(jvmArgsAppend)} attaches it, without otherwise. A run from the wrong working directory (agent
 * jar not found) or with the agent on the JMH host would otherwise measure the wrong thing silently.
 */
final class ForkVariant {
    private ForkVariant() {}

    /** @param benchmarkClass the running class (JMH's generated subclass or the declared variant) */
    static void check(Class<?> benchmarkClass) {
        Fork fork = null;
        for (Class<?> c = benchmarkClass; c != null && fork == null; c = c.getSuperclass()) {
            fork = c.getAnnotation(Fork.class);
        }
        boolean expected = fork != null && Arrays.stream(fork.jvmArgsAppend()).anyMatch(a -> a.startsWith("-javaagent:"));
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        boolean attached = args.stream().anyMatch(a -> a.startsWith("-javaagent:") && a.contains("duroxide-agent"));
        if (attached != expected) {
            throw new IllegalStateException("this fork should run " + (expected ? "with" : "without")
                    + " the duroxide agent; JVM arguments: " + args
                    + " (run from the repository root after mvn -DskipTests package, and do not attach the agent to the JMH host)");
        }
    }
}
