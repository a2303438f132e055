package io.duroxide.api;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The orchestrations (by name and version) and activities a runtime can run. Start requests without a
 * version get the highest registered version; an instance keeps the version it started with.
 */
public final class Registry {
    public static final String DEFAULT_VERSION = "1.0.0";

    private final Map<String, TreeMap<String, Registered<? extends Orchestration<?, ?>>>> orchestrations = new ConcurrentHashMap<>();
    private final Map<String, Registered<? extends Activity<?, ?>>> activities = new ConcurrentHashMap<>();

    /** A registered function with the type its JSON input is read as. */
    public record Registered<F>(String name, String version, Class<?> inputType, F function) {}

    public <I, O> Registry addOrchestration(String name, Class<I> inputType, Orchestration<I, O> orchestration) {
        return addOrchestration(name, DEFAULT_VERSION, inputType, orchestration);
    }

    public <I, O> Registry addOrchestration(String name, String version, Class<I> inputType, Orchestration<I, O> orchestration) {
        requireName("orchestration", name);
        requireName("version", version);
        TreeMap<String, Registered<? extends Orchestration<?, ?>>> versions =
                orchestrations.computeIfAbsent(name, n -> new TreeMap<>(VERSION_ORDER));
        synchronized (versions) {
            if (versions.putIfAbsent(version, new Registered<>(name, version, inputType, orchestration)) != null) {
                throw new IllegalArgumentException("orchestration '" + name + "' version " + version + " is already registered");
            }
        }
        return this;
    }

    public <I, O> Registry addActivity(String name, Class<I> inputType, Activity<I, O> activity) {
        requireName("activity", name);
        if (activities.putIfAbsent(name, new Registered<>(name, null, inputType, activity)) != null) {
            throw new IllegalArgumentException("activity '" + name + "' is already registered");
        }
        return this;
    }

    /** The given version, or the latest when {@code version} is null. */
    public Optional<Registered<? extends Orchestration<?, ?>>> orchestration(String name, String version) {
        TreeMap<String, Registered<? extends Orchestration<?, ?>>> versions = orchestrations.get(name);
        if (versions == null) {
            return Optional.empty();
        }
        synchronized (versions) {
            return Optional.ofNullable(version == null ? versions.lastEntry().getValue() : versions.get(version));
        }
    }

    public Optional<Registered<? extends Activity<?, ?>>> activity(String name) {
        return Optional.ofNullable(activities.get(name));
    }

    /** Registered orchestration names with their versions, for error messages. */
    public Map<String, Set<String>> orchestrationVersions() {
        Map<String, Set<String>> result = new LinkedHashMap<>();
        orchestrations.forEach((name, versions) -> {
            synchronized (versions) {
                result.put(name, Collections.unmodifiableSet(new java.util.TreeSet<>(versions.keySet())));
            }
        });
        return result;
    }

    public Set<String> activityNames() {
        return Set.copyOf(activities.keySet());
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " name must not be blank");
        }
    }

    /** Dotted numeric versions compare numerically (1.10.0 after 1.9.0); other text compares as text. */
    static final Comparator<String> VERSION_ORDER = (a, b) -> {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0";
            String q = i < y.length ? y[i] : "0";
            int c;
            if (p.chars().allMatch(Character::isDigit) && q.chars().allMatch(Character::isDigit) && !p.isEmpty() && !q.isEmpty()) {
                c = new java.math.BigInteger(p).compareTo(new java.math.BigInteger(q));
            } else {
                c = p.compareTo(q);
            }
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    };
}
