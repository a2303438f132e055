package io.duroxide.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The agent's configuration. Every setting is read, in order of precedence, from the agent argument
 * ({@code -javaagent:duroxide-agent.jar=port=9465,sample.rate=0.5}), the system property
 * {@code duroxide.metrics.<name>} and the environment variable {@code DUROXIDE_METRICS_<NAME>}, where
 * {@code <name>} is the variable's suffix in lower case with {@code _} written as {@code .}
 * ({@code DUROXIDE_METRICS_MAX_LABEL_VALUES} = {@code duroxide.metrics.max.label.values}). An invalid
 * value prints one line naming the variable and the default used, and the default applies. A name under these
 * prefixes that is no setting (a typo such as {@code DUROXIDE_METRICS_SAMPLERATE}) prints one line naming the
 * closest setting: otherwise the agent would run with the default and no word.
 */
public final class AgentConfig {
    public static final String ENV_PREFIX = "DUROXIDE_METRICS_";
    public static final String PROP_PREFIX = "duroxide.metrics.";

    /** Every setting: environment suffix, default, description (for the README and the unit test). */
    public static final Map<String, String> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("ENABLED", "true");
        SETTINGS.put("ORCHESTRATION", "true");
        SETTINGS.put("ACTIVITY", "true");
        SETTINGS.put("PROVIDER", "true");
        SETTINGS.put("WORKER", "true");
        SETTINGS.put("SAMPLE_RATE", "1.0");
        SETTINGS.put("INCLUDE_ERROR_MESSAGES", "false");
        SETTINGS.put("EXEMPLARS", "true");
        SETTINGS.put("ERROR_MESSAGE_LENGTH", "64");
        SETTINGS.put("MAX_LABEL_VALUES", "1000");
        SETTINGS.put("MAX_ACTIVITY_NAMES", "500");
        SETTINGS.put("MAX_ERROR_TYPES", "100");
        SETTINGS.put("HTTP_ENABLED", "true");
        SETTINGS.put("HOST", "0.0.0.0");
        SETTINGS.put("PORT", "9464");
        SETTINGS.put("PATH", "/metrics");
        SETTINGS.put("HTTP_TIMEOUT", "5s");
        SETTINGS.put("POLL_INTERVAL", "5s");
        SETTINGS.put("BUCKETS_ORCHESTRATION_DURATION", "0.1,0.5,1,2,5,10,30,60,300,600,1800,3600");
        SETTINGS.put("BUCKETS_ACTIVITY_DURATION", "0.01,0.05,0.1,0.5,1,2,5,10,30,60,120,300");
        SETTINGS.put("BUCKETS_PROVIDER_DURATION", "0.001,0.005,0.01,0.05,0.1,0.5,1,2,5");
        SETTINGS.put("BUCKETS_HISTORY_SIZE", "10,50,100,500,1000,5000,10000");
        SETTINGS.put("INIT_TIMEOUT", "10s");
        SETTINGS.put("LOG", "info");
    }

    public final boolean enabled;
    public final boolean orchestration;
    public final boolean activity;
    public final boolean provider;
    public final boolean worker;
    public final double sampleRate;
    public final boolean includeErrorMessages;
    /** OpenMetrics exemplars (instance id, execution id, attempt) on the duration buckets and failure counters. */
    public final boolean exemplars;
    public final int errorMessageLength;
    public final int maxLabelValues;
    public final int maxActivityNames;
    public final int maxErrorTypes;
    public final boolean httpEnabled;
    public final String host;
    public final int port;
    public final String path;
    public final Duration httpTimeout;
    public final Duration pollInterval;
    public final double[] orchestrationDurationBuckets;
    public final double[] activityDurationBuckets;
    public final double[] providerDurationBuckets;
    public final double[] historySizeBuckets;
    public final Duration initTimeout;
    public final String log;

    /**
     * The one-line complaints about invalid values and unknown names, in the order found (also printed by
     * {@link #load}).
     */
    public final List<String> problems;

    private final List<String> found = new ArrayList<>();
    private final Map<String, String> agentArgs;
    private final Map<String, String> env;
    private final Map<String, String> props;

    private AgentConfig(String agentArgument, Map<String, String> env, Map<String, String> props) {
        this.agentArgs = parseAgentArgs(agentArgument);
        this.env = env;
        this.props = props;
        enabled = bool("ENABLED");
        orchestration = bool("ORCHESTRATION");
        activity = bool("ACTIVITY");
        provider = bool("PROVIDER");
        worker = bool("WORKER");
        sampleRate = fraction("SAMPLE_RATE");
        includeErrorMessages = bool("INCLUDE_ERROR_MESSAGES");
        exemplars = bool("EXEMPLARS");
        errorMessageLength = positiveInt("ERROR_MESSAGE_LENGTH", 8, 1024);
        maxLabelValues = positiveInt("MAX_LABEL_VALUES", 1, 1_000_000);
        maxActivityNames = positiveInt("MAX_ACTIVITY_NAMES", 1, 1_000_000);
        maxErrorTypes = positiveInt("MAX_ERROR_TYPES", 1, 1_000_000);
        httpEnabled = bool("HTTP_ENABLED");
        host = host("HOST");
        port = intInRange("PORT", 0, 65535, "a TCP port (0-65535)");
        path = path("PATH");
        httpTimeout = duration("HTTP_TIMEOUT", Duration.ofMillis(100), Duration.ofMinutes(10));
        pollInterval = duration("POLL_INTERVAL", Duration.ofMillis(50), Duration.ofHours(1));
        orchestrationDurationBuckets = buckets("BUCKETS_ORCHESTRATION_DURATION");
        activityDurationBuckets = buckets("BUCKETS_ACTIVITY_DURATION");
        providerDurationBuckets = buckets("BUCKETS_PROVIDER_DURATION");
        historySizeBuckets = buckets("BUCKETS_HISTORY_SIZE");
        initTimeout = duration("INIT_TIMEOUT", Duration.ofMillis(100), Duration.ofMinutes(10));
        log = choice("LOG", "quiet", "info", "debug");
        unknownNames();
        problems = List.copyOf(found);
    }

    /** Reads the real environment and system properties and prints one line per problem. */
    public static AgentConfig load(String agentArgument) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(PROP_PREFIX)) {
                props.put(key, System.getProperty(key));
            }
        }
        AgentConfig config = new AgentConfig(agentArgument, System.getenv(), props);
        Log.configure("debug".equals(config.log), "quiet".equals(config.log));
        for (String problem : config.problems) {
            Log.warn(problem);
        }
        return config;
    }

    /** For tests: no printing, explicit sources. */
    public static AgentConfig from(String agentArgument, Map<String, String> env, Map<String, String> props) {
        return new AgentConfig(agentArgument, env, props);
    }

    /** The agent argument's {@code name=value} parts by setting suffix; a part without a name is a problem. */
    private Map<String, String> parseAgentArgs(String argument) {
        Map<String, String> out = new LinkedHashMap<>();
        if (argument == null || argument.isBlank()) {
            return out;
        }
        for (String part : argument.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(normalizeKey(part.substring(0, eq)), part.substring(eq + 1).trim());
            } else if (!part.isBlank()) {
                found.add("agent argument \"" + printable(part) + "\" is not name=value; ignored");
            }
        }
        return out;
    }

    /**
     * One line per name under the agent's prefixes that {@link #raw} never reads: agent arguments (read by
     * their normalised name), system properties (read in the dotted or underscored lower-case form only) and
     * environment variables (read by their exact name).
     */
    private void unknownNames() {
        for (String suffix : agentArgs.keySet()) {
            if (!SETTINGS.containsKey(suffix)) {
                unknown("agent argument " + argumentName(suffix), argumentName(closest(suffix)));
            }
        }
        for (String key : new TreeSet<>(props.keySet())) {
            if (key.startsWith(PROP_PREFIX) && !propertyIsRead(key)) {
                unknown("-D" + key, "-D" + PROP_PREFIX + argumentName(closest(normalizeKey(key.substring(PROP_PREFIX.length())))));
            }
        }
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith(ENV_PREFIX) && !SETTINGS.containsKey(name.substring(ENV_PREFIX.length()))) {
                unknown(name, ENV_PREFIX + closest(normalizeKey(name.substring(ENV_PREFIX.length()))));
            }
        }
    }

    private void unknown(String name, String closest) {
        found.add(printable(name) + " is not a setting of the agent and is ignored; did you mean " + closest + "?");
    }

    private static boolean propertyIsRead(String key) {
        String rest = key.substring(PROP_PREFIX.length());
        String suffix = normalizeKey(rest);
        return SETTINGS.containsKey(suffix)
                && (rest.equals(argumentName(suffix)) || rest.equals(suffix.toLowerCase(Locale.ROOT)));
    }

    /** {@code SAMPLE_RATE} as an agent argument or after the property prefix: {@code sample.rate}. */
    private static String argumentName(String suffix) {
        return suffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The setting whose suffix is the fewest single-character edits away from {@code suffix} (the first on a tie). */
    static String closest(String suffix) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : SETTINGS.keySet()) {
            int d = editDistance(suffix, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
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
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static String normalizeKey(String key) {
        String k = key.trim().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return k.startsWith(ENV_PREFIX) ? k.substring(ENV_PREFIX.length()) : k;
    }

    /** The raw value and where it came from, or null when unset. */
    private String[] raw(String suffix) {
        String v = agentArgs.get(suffix);
        if (v != null) {
            return new String[] {v, "agent argument " + argumentName(suffix)};
        }
        String dotted = PROP_PREFIX + argumentName(suffix);
        v = props.get(dotted);
        if (v != null) {
            return new String[] {v, "-D" + dotted};
        }
        String underscored = PROP_PREFIX + suffix.toLowerCase(Locale.ROOT);
        v = props.get(underscored);
        if (v != null) {
            return new String[] {v, "-D" + underscored};
        }
        v = env.get(ENV_PREFIX + suffix);
        if (v != null) {
            return new String[] {v, ENV_PREFIX + suffix};
        }
        return null;
    }

    private void invalid(String[] raw, String expected, String dflt) {
        found.add(raw[1] + "=\"" + printable(raw[0]) + "\" is not " + expected + "; using the default " + dflt);
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder b = new StringBuilder();
        for (char c : t.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    private boolean bool(String suffix) {
        boolean dflt = Boolean.parseBoolean(SETTINGS.get(suffix));
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        switch (raw[0].trim().toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "yes": case "on":
                return true;
            case "false": case "0": case "no": case "off":
                return false;
            default:
                invalid(raw, "a boolean (true/false)", String.valueOf(dflt));
                return dflt;
        }
    }

    private double fraction(String suffix) {
        double dflt = Double.parseDouble(SETTINGS.get(suffix));
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        try {
            double v = Double.parseDouble(raw[0].trim());
            if (v >= 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        invalid(raw, "a number between 0 and 1", SETTINGS.get(suffix));
        return dflt;
    }

    private int positiveInt(String suffix, int min, int max) {
        return intInRange(suffix, min, max, "an integer between " + min + " and " + max);
    }

    private int intInRange(String suffix, int min, int max, String expected) {
        int dflt = Integer.parseInt(SETTINGS.get(suffix));
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw[0].trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        invalid(raw, expected, String.valueOf(dflt));
        return dflt;
    }

    private String host(String suffix) {
        String dflt = SETTINGS.get(suffix);
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        String v = raw[0].trim();
        if (!v.isEmpty() && v.matches("[A-Za-z0-9._:\\-\\[\\]%]+")) {
            return v;
        }
        invalid(raw, "a host name or IP address", dflt);
        return dflt;
    }

    private String path(String suffix) {
        String dflt = SETTINGS.get(suffix);
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        String v = raw[0].trim();
        if (v.startsWith("/") && v.matches("/[A-Za-z0-9._~/\\-]*")) {
            return v;
        }
        invalid(raw, "a URL path starting with /", dflt);
        return dflt;
    }

    private String choice(String suffix, String... allowed) {
        String dflt = SETTINGS.get(suffix);
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        String v = raw[0].trim().toLowerCase(Locale.ROOT);
        if (Arrays.asList(allowed).contains(v)) {
            return v;
        }
        invalid(raw, "one of " + String.join("|", allowed), dflt);
        return dflt;
    }

    private Duration duration(String suffix, Duration min, Duration max) {
        Duration dflt = parseDuration(SETTINGS.get(suffix));
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        Duration d = parseDuration(raw[0]);
        if (d != null && d.compareTo(min) >= 0 && d.compareTo(max) <= 0) {
            return d;
        }
        invalid(raw, "a duration between " + min.toMillis() + "ms and " + max.toSeconds() + "s (e.g. 500ms, 5s, 1m)",
                SETTINGS.get(suffix));
        return dflt;
    }

    /** Parses {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, a plain number of seconds, or ISO-8601 {@code PT5S}. */
    static Duration parseDuration(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            double factorMs;
            String number;
            if (t.endsWith("ms")) {
                factorMs = 1;
                number = t.substring(0, t.length() - 2);
            } else if (t.endsWith("s")) {
                factorMs = 1000;
                number = t.substring(0, t.length() - 1);
            } else if (t.endsWith("m")) {
                factorMs = 60_000;
                number = t.substring(0, t.length() - 1);
            } else if (t.endsWith("h")) {
                factorMs = 3_600_000;
                number = t.substring(0, t.length() - 1);
            } else {
                factorMs = 1000;
                number = t;
            }
            double v = Double.parseDouble(number.trim());
            if (!(v >= 0) || Double.isInfinite(v)) {
                return null;
            }
            return Duration.ofMillis(Math.round(v * factorMs));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private double[] buckets(String suffix) {
        double[] dflt = parseBuckets(SETTINGS.get(suffix));
        String[] raw = raw(suffix);
        if (raw == null) {
            return dflt;
        }
        double[] v = parseBuckets(raw[0]);
        if (v != null) {
            return v;
        }
        invalid(raw, "a comma-separated list of increasing positive numbers", SETTINGS.get(suffix));
        return dflt;
    }

    static double[] parseBuckets(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String[] parts = text.split(",");
        double[] out = new double[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Double.parseDouble(parts[i].trim());
                if (!(out[i] > 0) || Double.isInfinite(out[i]) || (i > 0 && out[i] <= out[i - 1])) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }

    /** The effective cap for a label key: {@code MAX_LABEL_VALUES}, lowered by the §4.1 caps where they apply. */
    public int capFor(String labelKey) {
        switch (labelKey) {
            case "activity_name":
                return Math.min(maxLabelValues, maxActivityNames);
            case "error_code":
            case "error_message":
                return Math.min(maxLabelValues, maxErrorTypes);
            default:
                return maxLabelValues;
        }
    }

    /** Names of the enabled categories, for the start-up line. */
    public String categories() {
        List<String> on = new ArrayList<>();
        if (orchestration) {
            on.add("orchestration");
        }
        if (activity) {
            on.add("activity");
        }
        if (provider) {
            on.add("provider");
        }
        if (worker) {
            on.add("worker");
        }
        return on.isEmpty() ? "none" : String.join(",", on);
    }
}
