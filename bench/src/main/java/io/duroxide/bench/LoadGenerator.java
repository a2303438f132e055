package io.duroxide.bench;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Drives a workload against an embedded SQLite file at a fixed start rate, prints progress every
 * second, and at the end prints the ground truth read back from the database.
 *
 * <pre>java [-javaagent:agent/target/duroxide-agent.jar] -jar bench/target/duroxide-loadgen.jar
 *      [--db FILE] [--duration SECONDS] [--rate STARTS_PER_SECOND] [--failure-rate P]</pre>
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
        System.out.printf("duroxide load generator: %d starts/s for %d s on %s (activity failure rate %.2f)%n",
                options.rate(), options.durationSeconds(), options.db(), options.failureRate());
        try (SqliteProvider provider = SqliteProvider.open(options.db());
             DuroxideRuntime runtime = DuroxideRuntime.builder(provider, ToygresWorkload.registry(options.failureRate()))
                     .orchestrationConcurrency(2).activityConcurrency(8).build().start()) {
            String runId = Long.toString(System.currentTimeMillis(), 36);
            List<String> started = pump(runtime.client(), runId, options);
            drain(runtime.client(), started);
            printGroundTruth(runtime.client(), started);
        }
    }

    private static List<String> pump(DuroxideClient client, String runId, LoadOptions options) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / options.rate();
        long nextProgress = start + 1_000_000_000L;
        for (int n = 0; ; n++) {
            long due = start + n * intervalNanos;
            if (due - start >= options.durationSeconds() * 1_000_000_000L) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            ids.add(client.startOrchestration(ToygresWorkload.CREATE_INSTANCE, "db-" + runId + "-" + n,
                    StartOptions.withInstanceId("run-" + runId + "-" + n)));
            if (System.nanoTime() >= nextProgress) {
                printProgress(client, "run-" + runId + "-", ids.size(), (System.nanoTime() - start) / 1_000_000_000L);
                nextProgress += 1_000_000_000L;
            }
        }
        return ids;
    }

    private static void drain(DuroxideClient client, List<String> ids) {
        System.out.println("waiting for " + ids.size() + " instances to finish...");
        for (String id : ids) {
            client.waitForCompletion(id, Duration.ofMinutes(2));
        }
    }

    /** Status counts of this run's root instances, read from the database. */
    private static void printProgress(DuroxideClient client, String idPrefix, int started, long seconds) {
        Map<String, Integer> byStatus = new TreeMap<>();
        String after = idPrefix;
        while (true) {
            List<InstanceStatus> page = client.listInstances(new InstanceQuery(null, ToygresWorkload.CREATE_INSTANCE, after, 500));
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
        System.out.printf("t=%ds started=%d %s%n", seconds, started, byStatus);
    }

    private static void printGroundTruth(DuroxideClient client, List<String> rootIds) {
        Set<String> roots = new HashSet<>(rootIds);
        List<InstanceStatus> instances = new ArrayList<>();
        for (String id : rootIds) {
            client.getStatus(id).ifPresent(instances::add);
        }
        for (InstanceStatus child : listAll(client, ToygresWorkload.CONFIGURE_BACKUPS)) {
            if (roots.contains(child.parentInstanceId())) {
                instances.add(child);
            }
        }
        Map<String, Map<String, Integer>> orchestrations = new TreeMap<>();
        Map<String, int[]> activities = new TreeMap<>();
        for (InstanceStatus s : instances) {
            orchestrations.computeIfAbsent(s.name(), k -> new TreeMap<>()).merge(s.status().name().toLowerCase(), 1, Integer::sum);
            tallyActivities(client.getHistory(s.instanceId()), activities);
        }
        System.out.println("ground truth from the database:");
        orchestrations.forEach((name, counts) -> System.out.println("  orchestration " + name + " " + counts));
        activities.forEach((name, c) -> System.out.printf("  activity %s attempts=%d failed=%d%n", name, c[0], c[1]));
    }

    private static List<InstanceStatus> listAll(DuroxideClient client, String name) {
        List<InstanceStatus> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<InstanceStatus> page = client.listInstances(new InstanceQuery(null, name, after, 500));
            all.addAll(page);
            if (page.size() < 500) {
                return all;
            }
            after = page.get(page.size() - 1).instanceId();
        }
    }

    /** Attempts and failures per activity name: [scheduled, failed]. */
    private static void tallyActivities(List<HistoryEvent> history, Map<String, int[]> activities) {
        Map<Integer, String> names = new HashMap<>();
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ActivityScheduled a) {
                names.put(a.taskId(), a.name());
                activities.computeIfAbsent(a.name(), k -> new int[2])[0]++;
            } else if (e instanceof HistoryEvent.ActivityFailed f) {
                activities.get(names.get(f.taskId()))[1]++;
            }
        }
    }

    /** Command-line options; every value is validated with a message naming the flag. */
    record LoadOptions(Path db, int durationSeconds, int rate, double failureRate) {
        static final String USAGE = "usage: duroxide-loadgen [--db FILE] [--duration SECONDS] [--rate STARTS_PER_SECOND] [--failure-rate 0..1]";

        static LoadOptions parse(String[] args) {
            Path db = Path.of("duroxide-sample.db");
            int duration = 20;
            int rate = 20;
            double failureRate = 0.1;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--db" -> db = Path.of(value);
                    case "--duration" -> duration = positiveInt(flag, value);
                    case "--rate" -> rate = positiveInt(flag, value);
                    case "--failure-rate" -> failureRate = probability(flag, value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            return new LoadOptions(db, duration, rate, failureRate);
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
