package io.duroxide.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A process's CPU time by kind of thread, from {@code /proc/PID/task}: also the threads the JVM hides from
 * {@code ThreadMXBean} (JIT compilers, GC workers), which is where an agent's indirect costs would show. Threads
 * are grouped by name without the runtime's hex id and with digits as {@code #} ({@code orch-3fa-0} and
 * {@code orch-b07-1} are {@code orch-#}). Linux only; elsewhere the maps are empty.
 */
final class ThreadGroupsCpu {
    private ThreadGroupsCpu() {}

    /** A clock tick ({@code USER_HZ}, the unit of utime and stime: 100 per second on every Linux this runs on) in ms. */
    static final double MILLIS_PER_TICK = 10;

    /** This process's threads: utime + stime in clock ticks of the live threads, summed by group. */
    static Map<String, Long> ticksByGroup() {
        return ticksByGroup(Path.of("/proc/self/task"));
    }

    /** The same for another process. */
    static Map<String, Long> ticksByGroup(long pid) {
        return ticksByGroup(Path.of("/proc", Long.toString(pid), "task"));
    }

    private static Map<String, Long> ticksByGroup(Path taskDir) {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(taskDir)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String group = Files.readString(task.resolve("comm")).strip()
                            .replaceAll("-[0-9a-f]+(?=-)", "").replaceAll("[0-9]+", "#");
                    ticks.merge(group, cpuTicks(Files.readString(task.resolve("stat"))), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            return ticks;
        }
        return ticks;
    }

    /** utime + stime of a {@code /proc} stat line (of a process or a thread), in clock ticks. */
    static long cpuTicks(String stat) {
        // the fields after the command name, which is in parentheses and may hold spaces: utime is field 14, stime 15
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** {@code total} plus the ticks each group used from {@code before} to {@code after}. */
    static void addDifference(Map<String, Long> total, Map<String, Long> before, Map<String, Long> after) {
        after.forEach((group, ticks) -> total.merge(group, ticks - before.getOrDefault(group, 0L), Long::sum));
    }

    /** The groups that used CPU between the two snapshots, busiest first, in ms per {@code units}. */
    static String describe(Map<String, Long> before, Map<String, Long> after, double units) {
        Map<String, Long> used = new TreeMap<>();
        addDifference(used, before, after);
        return describe(used, units);
    }

    /** The groups of {@code ticks} that used CPU, busiest first, in ms per {@code units}. */
    static String describe(Map<String, Long> ticks, double units) {
        return ticks.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() * MILLIS_PER_TICK / units))
                .collect(Collectors.joining(", "));
    }
}
