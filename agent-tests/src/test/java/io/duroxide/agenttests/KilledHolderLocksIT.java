package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Work held by a killed process: its activity leases stay locked until they expire, which the queue depth
 * (ready work only) cannot show. A second process on the same store reports them as locked items, with
 * the age of the oldest lock growing since the dead holder last renewed it. The holder's activity lock
 * timeout (90 s, set by the workload) leaves the observer time to start before the leases expire.
 */
class KilledHolderLocksIT {
    private static final int HANGING = 3;

    @Test
    void locksOfAKilledProcessAreReportedByTheNextOneUntilTheyExpire() throws Exception {
        Path db = Ports.newDb("killed-holder");
        try (ChildJvm holder = ChildJvm.builder().name("holder").noAgent()
                .args("hang", db.toString(), Integer.toString(HANGING)).start()) {
            for (int i = 0; i < HANGING; i++) {
                String instance = "h" + i;
                holder.awaitLine(l -> l.equals("HANGING " + instance), Duration.ofSeconds(120));
            }
            holder.signal("KILL");
        }

        try (ChildJvm observer = ChildJvm.builder().name("observer")
                .metricsOnFreePort().env("DUROXIDE_METRICS_POLL_INTERVAL", "200ms")
                .args("observe", db.toString()).start()) {
            int port = observer.metricsPort();
            observer.awaitDone(Duration.ofSeconds(60));
            Scrape first = Scrape.until(port, s -> s.has("duroxide_worker_locked_items", "worker_type", "activity"),
                    Duration.ofSeconds(60));
            StoreLocks truth = StoreLocks.read(db);
            assertThat(truth.activityLeases()).as("the killed holder's leases, still unexpired").isEqualTo(HANGING);

            assertThat(first.sum("duroxide_worker_locked_items", "worker_type", "activity"))
                    .as("locked activities\n" + first.body).isEqualTo(HANGING);
            assertThat(first.sum("duroxide_worker_queue_depth", "worker_type", "activity")).isZero();
            assertThat(first.sum("duroxide_worker_locked_items", "worker_type", "orchestration")).isZero();
            double age = first.sum("duroxide_worker_oldest_lock_age_seconds", "worker_type", "activity");
            assertThat(age).isPositive().isLessThanOrEqualTo(truth.oldestActivityLeaseAgeSeconds());

            // Nobody renews them: the age keeps growing while the count stands still.
            Scrape later = Scrape.until(port,
                    s -> s.sum("duroxide_worker_oldest_lock_age_seconds", "worker_type", "activity") >= age + 1,
                    Duration.ofSeconds(60));
            assertThat(later.sum("duroxide_worker_oldest_lock_age_seconds", "worker_type", "activity"))
                    .isGreaterThanOrEqualTo(age + 1);
            assertThat(later.sum("duroxide_worker_locked_items", "worker_type", "activity")).isEqualTo(HANGING);
            assertThat(StoreLocks.read(db).activityLeases()).as("still before the leases expire").isEqualTo(HANGING);
            assertThat(observer.finish(Duration.ofSeconds(30))).isZero();
        }
    }

    /** The store's own answer, straight from the SQLite file: unexpired activity leases and the oldest one's age. */
    private record StoreLocks(long activityLeases, double oldestActivityLeaseAgeSeconds) {
        static StoreLocks read(Path db) throws SQLException {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                    PreparedStatement p = c.prepareStatement("SELECT count(*), ? - min(locked_at) FROM worker_queue"
                            + " WHERE lock_token IS NOT NULL AND locked_until > ?")) {
                long now = System.currentTimeMillis();
                p.setLong(1, now);
                p.setLong(2, now);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return new StoreLocks(rs.getLong(1), rs.getLong(2) / 1000.0);
                }
            }
        }
    }
}
