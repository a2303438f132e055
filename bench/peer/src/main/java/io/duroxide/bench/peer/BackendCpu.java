package io.duroxide.bench.peer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of the PostgreSQL backends serving one engine in a round: the sessions whose
 * {@code application_name} is the round's tag (both engines' connections carry it in their JDBC URL),
 * read from {@code /proc/PID/stat} (PostgreSQL on this host). The server's shared processes (WAL writer,
 * checkpointer) are left out: other users of the server would blur them.
 */
final class BackendCpu {
    /** {@code USER_HZ}, the unit of utime and stime: 100 per second on every Linux this runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private BackendCpu() {}

    /** utime + stime in nanoseconds by backend pid, for the sessions named {@code applicationName}. */
    static Map<Integer, Long> byBackend(Connection admin, String applicationName) throws SQLException {
        Map<Integer, Long> cpu = new HashMap<>();
        try (PreparedStatement p = admin.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            p.setString(1, applicationName);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    int pid = rs.getInt(1);
                    cpu.put(pid, nanos(pid));
                }
            }
        }
        return cpu;
    }

    /** CPU the backends used between two readings; a backend that connected in between counts from zero. */
    static long used(Map<Integer, Long> before, Map<Integer, Long> after) {
        long sum = 0;
        for (Map.Entry<Integer, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    private static long nanos(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces), counted from the state as field 3.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return 0; // the backend ended, or PostgreSQL runs elsewhere: nothing to count here
        }
    }
}
