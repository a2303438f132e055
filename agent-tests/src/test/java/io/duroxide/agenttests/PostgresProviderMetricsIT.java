package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.provider.postgres.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real shaded agent measures the PostgreSQL provider with no change to its instrumentation: a
 * child JVM runs the known workload on PostgresProvider with {@code -javaagent}, and the provider
 * histograms appear through the SPI match with the right labels and counts that agree with the
 * turns the database recorded.
 */
class PostgresProviderMetricsIT {
    @RegisterExtension
    static final PostgresTestDatabase PG = new PostgresTestDatabase();

    static final String DURATION = "duroxide_provider_operation_duration_seconds";

    @Test
    void providerOperationsOfPostgresAreMeasuredThroughTheSpi() throws Exception {
        String schema = PG.newSchema("agent");
        try (ChildJvm child = ChildJvm.builder().name("postgres-known")
                .metricsOnFreePort()
                .env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                .env("DUROXIDE_METRICS_POLL_INTERVAL", "200ms")
                .jvm("-Dduroxide.pg.schema=" + schema)
                .args("known", PostgresTestDatabase.url(), "6", "2")
                .start()) {
            int port = child.metricsPort();
            child.awaitDone(Duration.ofSeconds(120));
            long committedTurns = committedTurns(schema);
            assertThat(committedTurns).as("turns the database recorded").isPositive();

            Scrape scrape = Scrape.until(port, s -> s.sum(DURATION + "_count", "operation", "ack", "status", "success")
                    >= committedTurns, Duration.ofSeconds(30));

            Set<String> operations = new TreeSet<>();
            for (Scrape.Sample sample : scrape.series(DURATION + "_count")) {
                assertThat(sample.labels().keySet()).as("label keys of %s", sample).containsExactlyInAnyOrder("operation",
                        "status");
                operations.add(sample.label("operation"));
            }
            assertThat(operations).contains("fetch", "ack", "create_instance", "save_event", "query");
            for (String operation : new String[] {"fetch", "ack", "create_instance", "save_event"}) {
                assertThat(scrape.sum(DURATION + "_count", "operation", operation, "status", "success"))
                        .as("%s calls measured", operation).isPositive();
                assertThat(scrape.sum(DURATION + "_sum", "operation", operation, "status", "success"))
                        .as("%s time measured", operation).isPositive();
            }
            // The SPI methods live in the shared JDBC provider and in PostgresProvider: each call is counted once.
            assertThat(scrape.sum(DURATION + "_count", "operation", "create_instance", "status", "success"))
                    .isEqualTo(clientCreatedInstances(schema));
            // Every committed turn is one successful commitTurn; activity completions add to "ack" as well.
            assertThat(scrape.sum(DURATION + "_count", "operation", "ack", "status", "success"))
                    .isGreaterThanOrEqualTo(committedTurns);
            assertThat(child.output()).doesNotContain("[duroxide-agent] WARNING").doesNotContain("Exception in thread");
            assertThat(child.finish(Duration.ofSeconds(30))).as(child.output()).isZero();
        }
    }

    private static long clientCreatedInstances(String schema) throws Exception {
        return count("SELECT count(*) FROM " + schema + ".instances WHERE parent_instance_id IS NULL");
    }

    private static long committedTurns(String schema) throws Exception {
        return count("SELECT coalesce(sum(turn_count), 0) FROM " + schema + ".executions");
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.url()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
