package io.duroxide.agent.metrics;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Classifies a provider call's exception into the {@code error_type} of
 * {@code duroxide_provider_errors_total}: timeout, connection, deadlock, corruption,
 * constraint_violation, plus lock_lost, not_found, invalid_state and other. A provider that knows its
 * failure says so: the {@code kind()} of an {@code io.duroxide.provider.ProviderException} in the cause
 * chain (read reflectively, as the engine may live in a class loader of its own) wins. Only when no
 * exception carries a kind (a provider that does not set one) is the chain sniffed: a
 * {@link java.sql.SQLException} with a standard verdict (SQLState, following
 * {@link java.sql.SQLException#getNextException()} too, or its JDBC subclass) anywhere in the chain, else,
 * outermost first, the first classifiable throwable. No JDBC driver is needed on the agent's side.
 */
public final class ProviderErrors {
    private ProviderErrors() {}

    public static final List<String> ALL = List.of(
            "timeout", "connection", "deadlock", "corruption", "constraint_violation", "lock_lost", "not_found",
            "invalid_state", "other");

    /** The labels a provider's {@code ProviderException.Kind} may name; its other constant (UNKNOWN) means none. */
    private static final List<String> CARRIED = ALL.subList(0, 5);
    private static final String PROVIDER_EXCEPTION = "io.duroxide.provider.ProviderException";

    private static final ConcurrentHashMap<Class<?>, Method> KIND_METHODS = new ConcurrentHashMap<>();
    private static final Method NONE;

    static {
        Method m = null;
        try {
            m = Object.class.getMethod("hashCode");
        } catch (NoSuchMethodException e) {
            // impossible
        }
        NONE = m;
    }

    public static String classify(Throwable error) {
        if (error == null) {
            return null;
        }
        int depth = 0;
        for (Throwable t = error; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            String c = carriedKind(t);
            if (c != null) {
                return c;
            }
        }
        // A database's own verdict anywhere in the chain is the most specific signal, so it wins over
        // generic wrappers (pool or driver exceptions) nearer the top.
        depth = 0;
        for (Throwable t = error; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof java.sql.SQLException) {
                String c = classifySql((java.sql.SQLException) t);
                if (c != null) {
                    return c;
                }
            }
        }
        depth = 0;
        for (Throwable t = error; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            String c = classifyOne(t);
            if (c != null) {
                return c;
            }
        }
        return "other";
    }

    /** The label of the kind a ProviderException carries, or null when it carries none (or t is not one). */
    private static String carriedKind(Throwable t) {
        Method m = KIND_METHODS.computeIfAbsent(t.getClass(), ProviderErrors::kindMethod);
        if (m == NONE) {
            return null;
        }
        try {
            Object kind = m.invoke(t);
            if (!(kind instanceof Enum<?>)) {
                return null;
            }
            String label = ((Enum<?>) kind).name().toLowerCase(Locale.ROOT);
            return CARRIED.contains(label) ? label : null;
        } catch (ReflectiveOperationException | RuntimeException ex) {
            return null;
        }
    }

    private static Method kindMethod(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(PROVIDER_EXCEPTION)) {
                try {
                    return c.getMethod("kind");
                } catch (NoSuchMethodException | SecurityException ex) {
                    return NONE; // an engine older than the kind
                }
            }
        }
        return NONE;
    }

    private static String classifyOne(Throwable t) {
        String name = t.getClass().getName();
        if (name.equals("io.duroxide.provider.LockLostException")) {
            return "lock_lost";
        }
        if (name.equals("io.duroxide.api.InstanceAlreadyExistsException")) {
            return "constraint_violation";
        }
        if (name.equals("io.duroxide.api.InstanceNotFoundException")) {
            return "not_found";
        }
        if (t instanceof java.sql.SQLException) {
            String c = classifySql((java.sql.SQLException) t);
            if (c != null) {
                return c;
            }
        }
        if (t instanceof java.net.SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
            return "timeout";
        }
        if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                || t instanceof java.net.SocketException || t instanceof java.nio.channels.ClosedChannelException) {
            return "connection";
        }
        if (t instanceof IllegalStateException && name.startsWith("java.")) {
            return "invalid_state";
        }
        return null;
    }

    static String classifySql(java.sql.SQLException e) {
        // A batch failure (java.sql.BatchUpdateException) may carry the server's SQLState only on the
        // exceptions chained with setNextException, not on itself or its cause.
        int depth = 0;
        for (java.sql.SQLException s = e; s != null && depth < 8; s = s.getNextException() == s ? null : s.getNextException(), depth++) {
            String c = classifySqlState(s.getSQLState());
            if (c != null) {
                return c;
            }
        }
        if (e instanceof java.sql.SQLTimeoutException) {
            return "timeout";
        }
        if (e instanceof java.sql.SQLTransactionRollbackException) {
            return "deadlock";
        }
        if (e instanceof java.sql.SQLIntegrityConstraintViolationException) {
            return "constraint_violation";
        }
        if (e instanceof java.sql.SQLTransientConnectionException
                || e instanceof java.sql.SQLNonTransientConnectionException
                || e instanceof java.sql.SQLRecoverableException) {
            return "connection";
        }
        return null;
    }

    /**
     * SQLState (PostgreSQL and other standard drivers): 08 connection; 40P01 deadlock and 40001
     * serialization failure both deadlock (the spec's vocabulary has no separate word for a
     * serialization conflict, and both mean "the transaction lost a concurrency conflict, run it
     * again"); 57014 (statement cancelled by statement_timeout) and HYT00/HYT01 timeout; 23 constraint;
     * XX001/XX002 (data or index corrupted) corruption; 57P01-57P03 (server shutting down) connection.
     */
    static String classifySqlState(String state) {
        if (state == null || state.length() < 2) {
            return null;
        }
        if (state.startsWith("08")) {
            return "connection";
        }
        if (state.equals("40P01") || state.equals("40001") || state.startsWith("40")) {
            return "deadlock";
        }
        if (state.equals("57014") || state.equals("HYT00") || state.equals("HYT01")) {
            return "timeout";
        }
        if (state.startsWith("23")) {
            return "constraint_violation";
        }
        if (state.equals("XX001") || state.equals("XX002")) {
            return "corruption";
        }
        if (state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
            return "connection";
        }
        return null;
    }
}
