package io.duroxide.agent.config;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One-line messages on stderr, prefixed with {@code [duroxide-agent]}. Each warning key is printed once. */
public final class Log {
    private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();
    private static volatile boolean debug;
    private static volatile boolean quiet;

    private Log() {}

    static void configure(boolean debugEnabled, boolean quietEnabled) {
        debug = debugEnabled;
        quiet = quietEnabled;
    }

    public static void info(String message) {
        if (!quiet) {
            System.err.println("[duroxide-agent] " + message);
        }
    }

    public static void warn(String message) {
        System.err.println("[duroxide-agent] WARNING: " + message);
    }

    /** Prints the warning the first time this key is seen. */
    public static void warnOnce(String key, String message) {
        if (ONCE.add(key)) {
            warn(message);
        }
    }

    public static boolean isDebug() {
        return debug;
    }

    public static void debug(String message) {
        if (debug) {
            System.err.println("[duroxide-agent] debug: " + message);
        }
    }
}
