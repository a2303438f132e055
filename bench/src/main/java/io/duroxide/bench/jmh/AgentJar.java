package io.duroxide.bench.jmh;

/**
 * Where the agent forks find the agent jar. JMH annotations need a compile-time constant, so the path is
 * relative to the working directory of the JMH run: run the benchmarks from the repository root. Another
 * location can be given by overriding the fork arguments on the JMH command line
 * ({@code -jvmArgsAppend -javaagent:/path/duroxide-agent.jar}), which replaces the annotation's value.
 */
final class AgentJar {
    static final String PATH = "agent/target/duroxide-agent.jar";
    static final String JVM_ARG = "-javaagent:" + PATH;

    private AgentJar() {}
}
