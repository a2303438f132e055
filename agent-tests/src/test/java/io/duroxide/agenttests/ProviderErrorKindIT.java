package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The provider says what kind of failure it had, and the real agent reports that kind even when the engine
 * lives in a class loader of its own: while an activity runs, another process holds the SQLite write lock,
 * the renewal of the activity's lock runs out of busy retries, and {@code duroxide_provider_errors_total}
 * counts it as {@code timeout} (SQLite's result codes are known to the engine only, not to the agent).
 */
class ProviderErrorKindIT {

    @Test
    void aBusySqliteStoreIsCountedAsATimeout() throws Exception {
        Path db = Ports.newDb("busy-kind");
        Path cpFile = db.resolveSibling("busy-kind-classpath.txt");
        Files.writeString(cpFile, ChildJvm.workloadClasspath());
        try (ChildJvm child = ChildJvm.builder().name("busy-kind").main("io.duroxide.agenttests.apps.IsolatedLauncher")
                .classpath(ChildJvm.CHILD_CLASSES.toString())
                .metricsOnFreePort()
                .args(cpFile.toString(), "hang", db.toString(), "1").start()) {
            int port = child.metricsPort();
            // an idle runtime only reads; a running activity's lock is renewed (a write) at half its timeout
            child.awaitLine(l -> l.equals("HANGING h0"), Duration.ofSeconds(120));
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
                    Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                // the renewal comes after 45 s and waits out the busy timeout on every retry: be generous
                Scrape scrape = Scrape.until(port,
                        x -> x.sum("duroxide_provider_errors_total", "operation", "renew_lock", "error_type", "timeout") >= 1,
                        Duration.ofSeconds(300));
                assertThat(scrape.labelValues("duroxide_provider_errors_total", "error_type"))
                        .as(scrape.body).containsExactly("timeout");
                s.execute("ROLLBACK");
            }
        }
    }
}
