package io.duroxide.provider.postgres;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.awaitPresent;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.JsonConverter;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.validation.ProviderScenarios;
import io.duroxide.provider.validation.ValidationSupport;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** PostgreSQL-specific behaviour beyond the validation suite: bad input, schema handling, waiting for work. */
class PostgresProviderTest {
    @RegisterExtension
    static final PostgresTestDatabase PG = new PostgresTestDatabase();

    @Test
    void aUrlOfAnotherDatabaseIsRefusedWithOneClearError() {
        assertThatThrownBy(() -> PostgresProvider.open("jdbc:mysql://localhost/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid PostgreSQL URL 'jdbc:mysql://localhost/x': not a PostgreSQL JDBC URL"
                        + " (expected jdbc:postgresql://host[:port]/database?user=U&password=P)");
    }

    @Test
    void anUnreachableServerIsReportedWithTheUrlAndWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/duroxide?user=u&password=secret";
        assertThatThrownBy(() -> PostgresProvider.open(url))
                .isInstanceOf(ProviderException.class)
                .hasMessageStartingWith("open: cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:" + port
                        + "/duroxide?user=u&password=***: ")
                .hasMessageNotContaining("secret")
                .hasMessageContaining("Connection")
                .satisfies(e -> assertThat(((ProviderException) e).retryable()).isTrue())
                .satisfies(e -> assertThat(((ProviderException) e).kind()).isEqualTo(ProviderException.Kind.CONNECTION));
    }

    @Test
    void wrongCredentialsAreReportedAsSuch() {
        PostgresOptions options = PostgresTestDatabase.options(PG.newSchema("creds")).withCredentials("duroxide", "wrong");
        String url = options.url().replaceAll("[?&]password=[^&]*", "").replaceAll("[?&]user=[^&]*", "");
        assertThatThrownBy(() -> PostgresProvider.open(new PostgresOptions(url, "duroxide", "wrong", options.schema(), 2,
                Duration.ofSeconds(1))))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("cannot connect to PostgreSQL")
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void aSchemaNameThatIsNotAPlainIdentifierIsRefused() {
        assertThatThrownBy(() -> PostgresOptions.of("jdbc:postgresql://localhost/x").withSchema("a\"; DROP"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema name");
    }

    @Test
    void aSchemaHoldingAnotherApplicationsTablesIsLeftAlone() throws Exception {
        String schema = PG.newSchema("foreign");
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.url()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("CREATE TABLE " + schema + ".customers (id int)");
        }
        assertThatThrownBy(() -> PostgresProvider.open(PostgresTestDatabase.options(schema)))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("schema '" + schema + "' holds tables of another application");
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.url()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                        + schema + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("tables in the foreign schema").isEqualTo(1);
        }
    }

    @Test
    void reopeningMigratesNothingAndKeepsTheData() {
        String schema = PG.newSchema("reopen");
        try (PostgresProvider first = PostgresProvider.open(PostgresTestDatabase.options(schema))) {
            first.createInstance(newInstance("kept", "Orch"));
        }
        try (PostgresProvider second = PostgresProvider.open(PostgresTestDatabase.options(schema))) {
            assertThat(second.getInstance("kept")).isPresent();
        }
    }

    /** Work queued before version 3 gets its rank in the upgrade, so it is fetched by seniority like new work. */
    @Test
    void aVersionTwoSchemaIsUpgradedAndWorkQueuedBeforeIsFetchedBySeniority() throws Exception {
        String schema = PG.newSchema("upgrade");
        try (PostgresProvider provider = PostgresProvider.open(PostgresTestDatabase.options(schema))) {
            new ProviderScenarios(provider).startAndRunFirstTurn("older");
            provider.createInstance(newInstance("newer", "Orch"));
            provider.enqueueOrchestratorMessage(event("older", "go"), null);
        }
        try (Connection raw = DriverManager.getConnection(PostgresTestDatabase.url()); Statement s = raw.createStatement()) {
            s.execute("SET search_path TO \"" + schema + "\"");
            s.execute("DELETE FROM schema_version WHERE version > 2");
            s.execute("ALTER TABLE orchestrator_queue DROP COLUMN fetch_rank");
            s.execute("ALTER TABLE worker_queue DROP COLUMN fetch_rank");
        }
        try (PostgresProvider provider = PostgresProvider.open(PostgresTestDatabase.options(schema));
                Connection raw = DriverManager.getConnection(PostgresTestDatabase.url());
                Statement s = raw.createStatement()) {
            s.execute("SET search_path TO \"" + schema + "\"");
            try (ResultSet rs = s.executeQuery("SELECT (SELECT max(version) FROM schema_version),"
                    + " (SELECT count(*) FROM orchestrator_queue WHERE fetch_rank = '-infinity')")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(PostgresSchema.latestVersion(schema));
                assertThat(rs.getInt(2)).isZero();
            }
            assertThat(provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow().instanceId()).isEqualTo("older");
            assertThat(provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow().instanceId()).isEqualTo("newer");
        }
    }

    /**
     * An idle provider stops asking the database (work written without a notification stays unseen),
     * and a notification makes the next fetch look again: the waiting design in PostgresProvider's javadoc.
     */
    @Test
    void anIdleProviderWaitsForANotificationInsteadOfPolling() throws Exception {
        String schema = PG.newSchema("idle");
        try (PostgresProvider idle = PostgresProvider.open(PostgresTestDatabase.options(schema)
                        .withMaxIdleWait(Duration.ofSeconds(60)));
                Connection raw = DriverManager.getConnection(PostgresTestDatabase.url())) {
            awaitQuiet(idle);
            // Written the way a provider writes a start, minus the notification.
            HistoryEvent.ExecutionStarted start = newInstance("unannounced", "Orch").start();
            try (Statement s = raw.createStatement()) {
                s.execute("SET search_path TO " + schema);
            }
            update(raw, "INSERT INTO instances(instance_id, orchestration_name, orchestration_version, status,"
                    + " current_execution_id, input, created_at, updated_at) VALUES ('unannounced', 'Orch', '1.0', 'PENDING',"
                    + " 1, ?, now(), now())", start.input());
            update(raw, "INSERT INTO executions(instance_id, execution_id, status, initiated_by, started_at)"
                    + " VALUES ('unannounced', 1, 'RUNNING', 'CLIENT', now())");
            update(raw, "INSERT INTO orchestrator_queue(instance_id, execution_id, message_json, visible_at, created_at)"
                    + " VALUES ('unannounced', 1, ?, now(), now())", JsonConverter.DEFAULT.toJson(start));

            assertThat(idle.fetchOrchestrationItem(LONG_LOCK)).as("gated: no query, so the new work is not seen").isEmpty();
            assertThat(idle.queueDepths().orchestratorReady()).isEqualTo(1);

            update(raw, "SELECT pg_notify(?, 'o')", PostgresSchema.channel(schema));
            assertThat(awaitPresent("the notified work", () -> idle.fetchOrchestrationItem(LONG_LOCK)).instanceId())
                    .isEqualTo("unannounced");
        }
    }

    /**
     * A turn's commit is planned once per connection, not at each execution: its first statement (the lock release)
     * sets generic plans for the rest of the transaction, and only for it, since the connection goes back to a pool.
     */
    @Test
    void aTurnCommitUsesGenericPlansAndTheSettingEndsWithItsTransaction() {
        PostgresOptions options = PostgresTestDatabase.options(PG.newSchema("plans")).withPoolSize(1);
        try (PostgresProvider provider = PostgresProvider.open(options);
                PostgresDatabase db = PostgresDatabase.connectOnly(options)) {
            provider.createInstance(newInstance("planned", "Orch"));
            String lockToken = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow().lockToken();
            String planCacheMode = "SELECT current_setting('plan_cache_mode')";
            String before = db.read("before", tx -> tx.queryString(planCacheMode));
            List<String> inCommit = db.write("commit", tx -> List.of(
                    PostgresDialect.INSTANCE.releaseInstanceLock(tx, lockToken), tx.queryString(planCacheMode)));
            String after = db.read("after", tx -> tx.queryString(planCacheMode));
            assertThat(inCommit).containsExactly("planned", "force_generic_plan");
            assertThat(after).as("the server's own setting (auto unless configured), back after the commit")
                    .isEqualTo(before);
        }
    }

    /**
     * A turn that queues no orchestrator work tells other processes nothing about orchestrations: it only released
     * its instance. Here the turn queues an activity, so the one notification it sends says "activity work" only.
     */
    @Test
    void aTurnThatQueuesNoOrchestratorWorkSendsNoOrchestratorNotification() throws Exception {
        String schema = PG.newSchema("quiet");
        try (PostgresProvider provider = PostgresProvider.open(PostgresTestDatabase.options(schema));
                Connection listening = DriverManager.getConnection(PostgresTestDatabase.url())) {
            try (Statement s = listening.createStatement()) {
                s.execute("LISTEN " + PostgresSchema.channel(schema));
            }
            PGConnection notifications = listening.unwrap(PGConnection.class);
            provider.createInstance(newInstance("quiet", "Orch"));
            assertThat(nextNotifications(notifications)).as("the start's").containsExactly(WorkNotifier.ORCHESTRATOR);

            OrchestrationWorkItem item = provider.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
            provider.commitTurn(item.lockToken(), Turn.consuming(item)
                    .events(new HistoryEvent.ActivityScheduled(0, 1, "Act", "\"x\"", null, 0, 1, 0))
                    .activity(workItem("quiet", 1, 1)).build());
            assertThat(nextNotifications(notifications)).as("the turn's").containsExactly(WorkNotifier.ACTIVITY);
        }
    }

    /**
     * Without a notification, what reached an instance during its turn is fetched by the provider that committed
     * the turn, at once, even when its fetches had gone quiet waiting for one.
     */
    @Test
    void aMessageThatArrivedDuringTheTurnIsFetchedRightAfterTheCommit() {
        PostgresOptions options = PostgresTestDatabase.options(PG.newSchema("released")).withMaxIdleWait(Duration.ofSeconds(60));
        try (PostgresProvider committing = PostgresProvider.open(options); PostgresProvider other = PostgresProvider.open(options)) {
            committing.createInstance(newInstance("busy", "Orch"));
            OrchestrationWorkItem turn = committing.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
            other.enqueueOrchestratorMessage(event("busy", "during"), null);
            awaitQuiet(committing);

            committing.commitTurn(turn.lockToken(), Turn.consuming(turn).build());
            OrchestrationWorkItem next = committing.fetchOrchestrationItem(LONG_LOCK).orElseThrow();
            assertThat(next.instanceId()).isEqualTo("busy");
            assertThat(next.messages()).extracting(ValidationSupport::eventName).containsExactly("during");
        }
    }

    /** Fetches until the provider's idle gate has closed: its fetches find nothing for twice the grace period. */
    private static void awaitQuiet(PostgresProvider provider) {
        long idleSince = System.nanoTime();
        while (System.nanoTime() - idleSince < 2 * IdleGate.GRACE_NANOS) {
            assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        }
    }

    /** The payloads of the notifications that arrive next, waiting for the first up to a minute. */
    private static List<String> nextNotifications(PGConnection connection) throws SQLException {
        PGNotification[] arrived = connection.getNotifications(60_000);
        assertThat(arrived).as("notifications within a minute").isNotNull();
        return Arrays.stream(arrived).map(PGNotification::getParameter).toList();
    }

    private static void update(Connection c, String sql, String... args) throws Exception {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setString(i + 1, args[i]);
            }
            p.execute();
        }
    }
}
