package io.duroxide.agent.metrics;

import java.util.List;

/**
 * The default table that maps a failure to the high-level {@code error_category} label. The failure
 * kind decides first (nondeterminism, configuration, timeout, cancelled, poison); otherwise the cause
 * chain's exception class names are matched, innermost (root cause) first, against the table below, and
 * the first match wins. An application failure that matches nothing is {@code logic}, an infrastructure
 * failure {@code internal}. The engine wraps a failed task in {@code io.duroxide.api.TaskFailedException}
 * whose message starts with the task failure's summary ({@code "<task> failed: <KIND> <class> ..."}); the
 * inner class named there is classified the same way.
 */
public final class ErrorCategories {
    private ErrorCategories() {}

    /** Every category this table can produce (bounded). */
    public static final List<String> ALL = List.of(
            "database", "network", "timeout", "io", "serialization", "validation", "security", "resource",
            "concurrency", "configuration", "nondeterminism", "cancelled", "poison", "logic", "internal");

    public static String categorize(String failureKind, List<String> classChain, String message) {
        if (failureKind != null) {
            switch (failureKind) {
                case "NONDETERMINISM":
                    return "nondeterminism";
                case "CONFIGURATION":
                    return "configuration";
                case "TIMEOUT":
                    return "timeout";
                case "CANCELLED":
                    return "cancelled";
                case "POISON":
                    return "poison";
                default:
                    break;
            }
        }
        if (classChain != null) {
            for (int i = classChain.size() - 1; i >= 0; i--) {
                String c = byClassName(classChain.get(i));
                if (c != null) {
                    return c;
                }
            }
        }
        String inner = taskFailureClass(classChain, message);
        if (inner != null) {
            String kind = inner.substring(0, inner.indexOf(' '));
            String cls = inner.substring(inner.indexOf(' ') + 1);
            if (!"APPLICATION".equals(kind) && !"INFRASTRUCTURE".equals(kind)) {
                return categorize(kind, null, null);
            }
            String c = byClassName(cls);
            if (c != null) {
                return c;
            }
        }
        return "INFRASTRUCTURE".equals(failureKind) ? "internal" : "logic";
    }

    /** "KIND class" of a task failure when the chain is a TaskFailedException, else null. */
    static String taskFailureClass(List<String> classChain, String message) {
        if (classChain == null || classChain.isEmpty() || message == null
                || !"io.duroxide.api.TaskFailedException".equals(classChain.get(0))) {
            return null;
        }
        int at = message.indexOf(" failed: ");
        if (at < 0) {
            return null;
        }
        String rest = message.substring(at + 9);
        int sp1 = rest.indexOf(' ');
        if (sp1 <= 0) {
            return null;
        }
        int end = sp1 + 1;
        while (end < rest.length() && rest.charAt(end) != ' ' && rest.charAt(end) != ':') {
            end++;
        }
        if (end == sp1 + 1) {
            return null;
        }
        return rest.substring(0, end);
    }

    /** The category of one exception class name, or null if the table has no entry. */
    public static String byClassName(String className) {
        if (className == null || className.isEmpty()) {
            return null;
        }
        String simple = className.substring(className.lastIndexOf('.') + 1);
        int dollar = simple.lastIndexOf('$');
        if (dollar >= 0) {
            simple = simple.substring(dollar + 1);
        }
        // timeouts first: a SocketTimeoutException is a timeout before it is a network error
        if (simple.endsWith("TimeoutException") || simple.endsWith("TimedOutException")
                || simple.equals("SQLTimeoutException")) {
            return "timeout";
        }
        if (className.startsWith("java.sql.") || className.startsWith("javax.sql.")
                || className.startsWith("org.sqlite.") || className.startsWith("org.postgresql.")
                || className.startsWith("com.mysql.") || className.startsWith("org.mariadb.")
                || className.startsWith("oracle.jdbc.") || className.startsWith("com.zaxxer.hikari.")
                || className.startsWith("org.hibernate.") || className.startsWith("jakarta.persistence.")
                || className.startsWith("javax.persistence.") || className.startsWith("org.springframework.dao.")
                || className.startsWith("org.jooq.exception.") || className.startsWith("io.duroxide.provider.")
                || simple.endsWith("SQLException") || simple.startsWith("Sqlite") || simple.startsWith("SQLite")) {
            return "database";
        }
        if (className.startsWith("java.net.") || className.startsWith("javax.net.")
                || className.startsWith("java.nio.channels.") || className.startsWith("java.rmi.")
                || className.startsWith("io.netty.") || className.startsWith("okhttp3.")
                || className.startsWith("org.apache.http.") || className.startsWith("org.apache.hc.")
                || className.startsWith("io.grpc.") || simple.endsWith("ConnectException")
                || simple.contains("Network") || simple.contains("Socket")) {
            return "network";
        }
        if (className.startsWith("com.fasterxml.jackson.") || className.startsWith("com.google.gson.")
                || className.startsWith("com.google.protobuf.") || className.startsWith("jakarta.json.")
                || className.startsWith("javax.json.") || className.startsWith("jakarta.xml.bind.")
                || className.startsWith("javax.xml.bind.") || simple.equals("NotSerializableException")
                || simple.equals("InvalidClassException") || simple.contains("Serializ")
                || simple.contains("Deserializ") || simple.contains("Json") || simple.contains("Parse")) {
            return "serialization";
        }
        if (className.startsWith("java.io.") || className.startsWith("java.nio.file.")
                || simple.equals("UncheckedIOException") || simple.endsWith("IOException")) {
            return "io";
        }
        if (simple.equals("IllegalArgumentException") || simple.equals("NumberFormatException")
                || simple.equals("InputMismatchException") || simple.equals("DateTimeException")
                || className.startsWith("jakarta.validation.") || className.startsWith("javax.validation.")
                || simple.contains("Validation") || simple.contains("Invalid") || simple.contains("ConstraintViolation")
                || simple.contains("BadRequest") || simple.contains("Malformed")) {
            return "validation";
        }
        if (simple.equals("SecurityException") || className.startsWith("java.security.")
                || className.startsWith("javax.security.") || simple.contains("AccessDenied")
                || simple.contains("Unauthorized") || simple.contains("Forbidden")
                || simple.contains("Authentication") || simple.contains("Authorization")) {
            return "security";
        }
        if (simple.equals("OutOfMemoryError") || simple.equals("StackOverflowError")
                || simple.equals("RejectedExecutionException") || simple.contains("Quota")
                || simple.contains("RateLimit") || simple.contains("Throttl") || simple.contains("Exhausted")) {
            return "resource";
        }
        if (simple.equals("InterruptedException") || simple.equals("ConcurrentModificationException")
                || simple.equals("BrokenBarrierException") || simple.equals("LockLostException")
                || simple.contains("Deadlock") || simple.contains("OptimisticLock")) {
            return "concurrency";
        }
        if (simple.equals("ClassNotFoundException") || simple.equals("NoClassDefFoundError")
                || simple.equals("NoSuchMethodError") || simple.equals("NoSuchFieldError")
                || simple.equals("LinkageError") || simple.equals("ExceptionInInitializerError")
                || simple.equals("UnsatisfiedLinkError") || simple.contains("Configuration")
                || simple.contains("NotRegistered") || simple.contains("Unregistered")) {
            return "configuration";
        }
        if (simple.equals("CancellationException")) {
            return "cancelled";
        }
        return null;
    }
}
