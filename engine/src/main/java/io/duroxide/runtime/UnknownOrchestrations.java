package io.duroxide.runtime;

import io.duroxide.api.Registry;
import io.duroxide.api.UnknownOrchestrationException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a start against this process's registry. An unknown name or version is stored by default, because
 * another process with a newer registry may run it (rolling deploys), with one warning saying what will
 * happen; with {@code reject} the start is refused before anything is stored.
 */
final class UnknownOrchestrations implements StartCheck {
    private static final System.Logger LOG = System.getLogger(UnknownOrchestrations.class.getName());
    private static final int CLOSEST_SHOWN = 3;

    private final Registry registry;
    private final boolean reject;
    private final RuntimeOptions options;

    UnknownOrchestrations(Registry registry, boolean reject, RuntimeOptions options) {
        this.registry = registry;
        this.reject = reject;
        this.options = options;
    }

    @Override
    public void beforeStore(String name, String version) {
        if (reject) {
            unknown(name, version).ifPresent(what -> {
                throw new UnknownOrchestrationException(what + "; start refused (rejectUnknownOrchestrations), nothing was stored");
            });
        }
    }

    @Override
    public void stored(String instanceId, String name, String version) {
        unknown(name, version).ifPresent(what -> LOG.log(Level.WARNING, "instance '" + instanceId + "' started: " + what
                + "; it waits for a runtime that registers it and otherwise fails with a CONFIGURATION error (config_error) after "
                + options.maxDeliveryAttempts() + " deliveries, about " + roughly(options.unregisteredGiveUp())
                + " with this runtime's options (DuroxideRuntime.Builder.rejectUnknownOrchestrations(true) refuses such starts)"));
    }

    private static String roughly(Duration d) {
        return d.toMillis() >= 1000 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** What is not registered, with what is, or empty when this registry can run the start. */
    private Optional<String> unknown(String name, String version) {
        if (registry.orchestration(name, version).isPresent()) {
            return Optional.empty();
        }
        Map<String, Set<String>> registered = registry.orchestrationVersions();
        Set<String> versions = registered.get(name);
        if (versions != null) {
            return Optional.of("orchestration '" + name + "' version " + version + " is not registered in this process (registered versions of '"
                    + name + "': " + String.join(", ", versions) + ")");
        }
        return Optional.of("orchestration '" + name + "'" + (version == null ? "" : " version " + version)
                + " is not registered in this process (" + closest(name, registered.keySet()) + ")");
    }

    private static String closest(String name, Set<String> names) {
        if (names.isEmpty()) {
            return "no orchestrations are registered";
        }
        String shown = names.stream()
                .sorted(Comparator.comparingInt((String n) -> editDistance(name.toLowerCase(Locale.ROOT), n.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(CLOSEST_SHOWN)
                .map(n -> "'" + n + "'")
                .collect(Collectors.joining(", "));
        int more = names.size() - CLOSEST_SHOWN;
        return "registered names, closest first: " + shown + (more > 0 ? " and " + more + " more" : "");
    }

    /** Levenshtein distance: the fewest single-character edits turning one name into the other. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
