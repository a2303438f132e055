package io.duroxide.bench;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.WaitTimeoutException;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.jdbc.Secrets;
import io.duroxide.runtime.DuroxideRuntime;
import io.duroxide.runtime.ProviderClient;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives a scenario against an embedded SQLite file or a PostgreSQL database, prints progress every second, and at the end
 * prints the ground truth read back from the database; when the metrics agent is attached, compares
 * it with a scrape of the agent's endpoint.
 *
 * <pre>java [-javaagent:agent/target/duroxide-agent.jar] -jar bench/target/duroxide-loadgen.jar
 *      [--scenario normal|high|error-spike|long-running|toygres] [--duration SECONDS] [--db FILE]
 *      [--rate STARTS_PER_SECOND] [--failure-rate P] [--linger SECONDS]
 *      [--provider sqlite|postgres] [--pg-url JDBC_URL] [--pg-schema SCHEMA] [--retry-for SECONDS]</pre>
 *
 * <p>A start the store fails transiently (a restarting server) is tried again with backoff for up to
 * {@code --retry-for} seconds; the failed attempts are counted in the summary. When work was not done (a
 * start failed for good, an instance did not finish) the generator prints one line saying why and exits 1.
 *
 * <p>Several load generators given the same PostgreSQL URL and schema share one backlog: each starts
 * its own instances (ids carry a per-run prefix) and its runtime processes anyone's.
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        URI metrics = agentAttached() ? MetricsComparison.awaitEndpoint(System.out) : null;
        GroundTruth truth;
        try {
            truth = run(options, System.out);
        } catch (LoadFailed | ProviderException e) {
            // An unusable store (unreachable, read-only, full) is bad input: one line, no stack trace.
            System.err.println("error: " + Secrets.mask(e.getMessage()));
            System.exit(1);
            return;
        }
        if (metrics != null) {
            MetricsComparison.compareWithScrape(metrics, truth, System.out);
        }
    }

    /** The load was not carried out: starts that could not be made or instances that did not finish. */
    static final class LoadFailed extends Exception {
        LoadFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** True when the JVM was started with the duroxide agent (or -Dduroxide.loadgen.scrape=true). */
    static boolean agentAttached() {
        if (Boolean.getBoolean("duroxide.loadgen.scrape")) {
            return true;
        }
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-javaagent:") && arg.contains("duroxide-agent")) {
                return true;
            }
        }
        return false;
    }

    /** Runs the scenario to the end (all started instances terminal) and returns the ground truth. */
    public static GroundTruth run(LoadOptions options, PrintStream out) throws LoadFailed, InterruptedException {
        Scenario scenario = options.scenario();
        if (scenario == Scenario.LONG_RUNNING) {
            out.printf("duroxide load generator: scenario %s, one orchestration of %d turns, on %s%n",
                    scenario.cliName(), Scenario.LONG_RUNNING_STEPS + 1, options.store().describe());
        } else {
            out.printf("duroxide load generator: %d starts/s for %d s on %s (activity failure rate %.2f)%n",
                    options.rate(), options.durationSeconds(), options.store().describe(), options.failureRate());
            out.printf("scenario %s%n", scenario.cliName());
        }
        try (Provider provider = options.store().open();
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, scenario.registry(options.failureRate()))
                     .orchestrationConcurrency(2).activityConcurrency(8).build()) {
            ProviderClient client = runtime.client();
            // Unique per process too, so parallel load generators on one database never share ids.
            String runId = Long.toString(System.currentTimeMillis(), 36) + Long.toString(ProcessHandle.current().pid(), 36);
            String prefix = "run-" + runId + "-";
            // Other runs' instances that this process's runtime may work on: those unfinished now, and (read at
            // the end) those created from a second before now on.
            Instant runStart = Instant.now().minusSeconds(1);
            Set<String> unfinishedAtStart = new HashSet<>();
            listAll(client).stream().filter(s -> !s.status().isTerminal()).forEach(s -> unfinishedAtStart.add(s.instanceId()));
            List<String> started = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean pumping = new AtomicBoolean(true);
            RetryingStarts starts = new RetryingStarts(Duration.ofSeconds(options.retrySeconds()));
            AtomicReference<Exception> pumpFailure = new AtomicReference<>();
            Thread pump = new Thread(() -> {
                try {
                    pump(client, scenario, prefix, runId, options, starts, started, runtime::start);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RetryingStarts.StartFailed | RuntimeException e) {
                    pumpFailure.set(e);
                } finally {
                    pumping.set(false);
                }
            }, "loadgen-pump");
            pump.start();
            long start = System.nanoTime();
            long nextProgress = start + 1_000_000_000L;
            while (pumping.get()) {
                Thread.sleep(Math.max(1, (nextProgress - System.nanoTime()) / 1_000_000));
                if (System.nanoTime() >= nextProgress && pumping.get()) {
                    printProgress(client, scenario, prefix, started.size(), (System.nanoTime() - start) / 1_000_000_000L, out);
                    nextProgress += 1_000_000_000L;
                }
            }
            pump.join();
            if (pumpFailure.get() != null) {
                throw new LoadFailed(pumpFailure.get().getMessage() + " (" + started.size() + " instances started, "
                        + starts.errors() + " failed start attempts)", pumpFailure.get());
            }
            List<String> ids = List.copyOf(started);
            drain(client, scenario, prefix, ids, start, out);
            double seconds = (System.nanoTime() - start) / 1e9;
            GroundTruth truth = GroundTruth.read(client, ids, unfinishedAtStart, runStart);
            truth.print(out);
            out.printf("  failed start attempts %d (each tried again until it succeeded)%n", starts.errors());
            if (truth.nonTerminal() > 0) {
                throw new LoadFailed(truth.nonTerminal() + " instances did not finish", null);
            }
            out.printf("  wall time %.1f s; %.1f root orchestrations/s completed%n", seconds, ids.size() / seconds);
            if (options.lingerSeconds() > 0) {
                // The runtime stays up (idle) so that a Prometheus scraping the agent records the final counts
                // and the worker gauges, which the agent removes when the runtime stops.
                out.printf("lingering %d s with the runtime idle%n", options.lingerSeconds());
                Thread.sleep(options.lingerSeconds() * 1000L);
            }
            return truth;
        }
    }

    private static void pump(ProviderClient client, Scenario scenario, String prefix, String runId, LoadOptions options,
                             RetryingStarts starts, List<String> ids, Runnable startRuntime)
            throws InterruptedException, RetryingStarts.StartFailed {
        if (scenario == Scenario.LONG_RUNNING) {
            starts.start(prefix + 0, () -> client.startOrchestration(Scenario.LONG_ACTOR, Scenario.LONG_RUNNING_STEPS,
                    StartOptions.withInstanceId(prefix + 0)));
            ids.add(prefix + 0);
            startRuntime.run();
            return;
        }
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / options.rate();
        long end = options.durationSeconds() * 1_000_000_000L;
        for (int n = 0; ; n++) {
            long due = start + n * intervalNanos;
            if (due - start >= end) {
                return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            Object input = scenario == Scenario.TOYGRES ? "db-" + runId + "-" + n : "order-" + runId + "-" + n;
            String id = prefix + n;
            starts.start(id, () -> client.startOrchestration(scenario.rootOrchestration(), input, StartOptions.withInstanceId(id)));
            ids.add(id);
            if (n == 0) {
                // The runtime's loops start once the store took a write: one that refuses writes (read-only,
                // full) is then reported once, by the start that failed, not also by every dispatcher loop.
                startRuntime.run();
            }
        }
    }

    private static void drain(ProviderClient client, Scenario scenario, String prefix, List<String> ids, long start,
                              PrintStream out) throws LoadFailed {
        out.println("waiting for " + ids.size() + " instances to finish...");
        Duration timeout = scenario == Scenario.LONG_RUNNING ? Duration.ofSeconds(2) : Duration.ofMinutes(2);
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        for (String id : ids) {
            while (true) {
                try {
                    client.waitForCompletion(id, timeout);
                    break;
                } catch (WaitTimeoutException | ProviderException e) {
                    // A long-running instance outlasts one wait; a restarting server fails some waits.
                    boolean transientFailure = e instanceof ProviderException p && p.retryable();
                    if (!(scenario == Scenario.LONG_RUNNING || transientFailure) || System.nanoTime() > deadline) {
                        throw new LoadFailed("instance " + id + " did not finish: " + e.getMessage(), e);
                    }
                    printProgress(client, scenario, prefix, ids.size(), (System.nanoTime() - start) / 1_000_000_000L, out);
                }
            }
        }
    }

    /** Status counts of this run's root instances, read from the database; says so when the database does not answer. */
    private static void printProgress(ProviderClient client, Scenario scenario, String idPrefix, int started, long seconds,
                                      PrintStream out) {
        try {
            printStatusCounts(client, scenario, idPrefix, started, seconds, out);
        } catch (ProviderException e) {
            out.printf("t=%ds started=%d (database not answering: %s)%n", seconds, started, e.getMessage());
        }
    }

    private static void printStatusCounts(ProviderClient client, Scenario scenario, String idPrefix, int started,
                                          long seconds, PrintStream out) {
        Map<String, Integer> byStatus = new TreeMap<>();
        String after = idPrefix;
        while (true) {
            List<InstanceStatus> page = client.listInstances(new InstanceQuery(null, scenario.rootOrchestration(), after, 500));
            for (InstanceStatus s : page) {
                if (!s.instanceId().startsWith(idPrefix)) {
                    page = List.of();
                    break;
                }
                byStatus.merge(s.status().name().toLowerCase(), 1, Integer::sum);
            }
            if (page.size() < 500) {
                break;
            }
            after = page.get(page.size() - 1).instanceId();
        }
        if (scenario == Scenario.LONG_RUNNING && started > 0) {
            long completedSteps = client.getHistory(idPrefix + 0).stream()
                    .filter(e -> e instanceof HistoryEvent.ActivityCompleted).count();
            out.printf("t=%ds started=%d %s turns=%d/%d%n", seconds, started, byStatus, completedSteps + 1,
                    Scenario.LONG_RUNNING_STEPS + 1);
        } else {
            out.printf("t=%ds started=%d %s%n", seconds, started, byStatus);
        }
    }

    /**
     * What the database says about one run: every root it started and their descendants; and how many
     * instances of other runs were unfinished while it ran ({@code otherRunsLive}: unfinished at its start or
     * created since). The agent counts what this process did, and the database does not record which process
     * ran a turn or an activity: with other runs' instances live (a restarted run finishing a killed one's,
     * several processes on one store sharing the backlog) this process may have worked on theirs and they on
     * its, so its counters cannot be compared with its run's ground truth (see {@link MetricsComparison}).
     */
    public record GroundTruth(
            Map<String, Map<String, Integer>> orchestrations,
            Map<String, int[]> activities,
            int retriedAttempts,
            int nonTerminal,
            int otherRunsLive) {

        static GroundTruth read(ProviderClient client, List<String> rootIds, Set<String> unfinishedAtStart,
                                Instant runStart) {
            Set<String> ids = new HashSet<>(rootIds);
            List<InstanceStatus> instances = new ArrayList<>();
            for (String id : rootIds) {
                client.getStatus(id).ifPresent(instances::add);
            }
            List<InstanceStatus> others = new ArrayList<>(listAll(client));
            others.removeIf(s -> ids.contains(s.instanceId()));
            boolean grew = true;
            while (grew) {
                grew = false;
                for (var it = others.iterator(); it.hasNext(); ) {
                    InstanceStatus s = it.next();
                    if (s.parentInstanceId() != null && ids.contains(s.parentInstanceId())) {
                        ids.add(s.instanceId());
                        instances.add(s);
                        it.remove();
                        grew = true;
                    }
                }
            }
            Map<String, Map<String, Integer>> orchestrations = new TreeMap<>();
            Map<String, int[]> activities = new TreeMap<>();
            int retried = 0;
            int nonTerminal = 0;
            for (InstanceStatus s : instances) {
                orchestrations.computeIfAbsent(s.name(), k -> new TreeMap<>()).merge(s.status().name().toLowerCase(), 1, Integer::sum);
                if (!s.status().isTerminal()) {
                    nonTerminal++;
                }
                retried += tallyActivities(client.getHistory(s.instanceId()), activities);
            }
            int otherRunsLive = (int) others.stream()
                    .filter(s -> unfinishedAtStart.contains(s.instanceId()) || !s.createdAt().isBefore(runStart)).count();
            return new GroundTruth(orchestrations, activities, retried, nonTerminal, otherRunsLive);
        }

        /** Instances (roots and sub-orchestrations) with the given status. */
        int orchestrations(String status) {
            return orchestrations.values().stream().mapToInt(m -> m.getOrDefault(status, 0)).sum();
        }

        int instances() {
            return orchestrations.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
        }

        int activityAttempts() {
            return activities.values().stream().mapToInt(c -> c[0]).sum();
        }

        int activityFailures() {
            return activities.values().stream().mapToInt(c -> c[1]).sum();
        }

        void print(PrintStream out) {
            out.println("ground truth from the database:");
            orchestrations.forEach((name, counts) -> out.println("  orchestration " + name + " " + counts));
            activities.forEach((name, c) -> out.printf("  activity %s attempts=%d failed=%d%n", name, c[0], c[1]));
            out.printf("  started=%d completed=%d failed=%d cancelled=%d not terminal=%d; activity attempts=%d failed=%d retried=%d%n",
                    instances(), orchestrations("completed"), orchestrations("failed"), orchestrations("cancelled"),
                    nonTerminal, activityAttempts(), activityFailures(), retriedAttempts);
        }
    }

    private static List<InstanceStatus> listAll(ProviderClient client) {
        List<InstanceStatus> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<InstanceStatus> page = client.listInstances(new InstanceQuery(null, null, after, 500));
            all.addAll(page);
            if (page.size() < 500) {
                return all;
            }
            after = page.get(page.size() - 1).instanceId();
        }
    }

    /** Attempts and failures per activity name: [scheduled, failed]; returns the retries (attempt index above 0). */
    private static int tallyActivities(List<HistoryEvent> history, Map<String, int[]> activities) {
        Map<Integer, String> names = new HashMap<>();
        int retried = 0;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ActivityScheduled a) {
                names.put(a.taskId(), a.name());
                activities.computeIfAbsent(a.name(), k -> new int[2])[0]++;
                if (a.attempt() > 0) {
                    retried++;
                }
            } else if (e instanceof HistoryEvent.ActivityFailed f) {
                activities.get(names.get(f.taskId()))[1]++;
            }
        }
        return retried;
    }

    /** Command-line options; every value is validated with a message naming the flag. */
    public record LoadOptions(Scenario scenario, Store store, int durationSeconds, int rate, double failureRate,
            int lingerSeconds, int retrySeconds) {
        static final String USAGE = "usage: duroxide-loadgen [--scenario normal|high|error-spike|long-running|toygres] [--db FILE]"
                + " [--duration SECONDS] [--rate STARTS_PER_SECOND] [--failure-rate 0..1] [--linger SECONDS]"
                + " [--provider sqlite|postgres] [--pg-url jdbc:postgresql://HOST:PORT/DB?user=U&password=P] [--pg-schema NAME]"
                + " [--retry-for SECONDS]";

        static LoadOptions parse(String[] args) {
            Scenario scenario = Scenario.TOYGRES;
            Path db = Path.of("duroxide-sample.db");
            int duration = 20;
            Integer rate = null;
            Double failureRate = null;
            int linger = 0;
            int retry = 60;
            String provider = Store.SQLITE;
            String pgUrl = null;
            String pgSchema = null;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--scenario" -> scenario = Scenario.parse(value);
                    case "--db" -> db = Path.of(value);
                    case "--duration" -> duration = positiveInt(flag, value);
                    case "--rate" -> rate = positiveInt(flag, value);
                    case "--failure-rate" -> failureRate = probability(flag, value);
                    case "--linger" -> linger = positiveInt(flag, value);
                    case "--retry-for" -> retry = positiveInt(flag, value);
                    case "--provider" -> provider = value;
                    case "--pg-url" -> pgUrl = value;
                    case "--pg-schema" -> pgSchema = value;
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (!Store.POSTGRES.equalsIgnoreCase(provider) && (pgUrl != null || pgSchema != null)) {
                throw new IllegalArgumentException("--pg-url and --pg-schema need --provider postgres");
            }
            Store store = Store.POSTGRES.equalsIgnoreCase(provider) ? Store.postgres(pgUrl, pgSchema)
                    : new Store(provider, db, null, null);
            return new LoadOptions(scenario, store, duration, rate != null ? rate : Math.max(1, scenario.defaultRate),
                    failureRate != null ? failureRate : scenario.defaultFailureRate, linger, retry);
        }

        private static int positiveInt(String flag, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(flag + " must be a positive integer, was '" + value + "'");
        }

        private static double probability(String flag, String value) {
            try {
                double p = Double.parseDouble(value);
                if (p >= 0 && p <= 1) {
                    return p;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(flag + " must be a number between 0 and 1, was '" + value + "'");
        }
    }
}
