package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.UnknownOrchestrationException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A start of an orchestration name or version this process does not know: stored with one warning by
 * default (another process may run it), refused before anything is stored with rejectUnknownOrchestrations.
 */
class UnknownOrchestrationStartTest extends EngineTestBase {
    /** Held strongly: java.util.logging keeps loggers only weakly, and the engine's System.Logger writes to it. */
    private final Logger engineLog = Logger.getLogger(UnknownOrchestrations.class.getName());
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureEngineLog() {
        engineLog.addHandler(capture);
    }

    @AfterEach
    void releaseEngineLog() {
        engineLog.removeHandler(capture);
    }

    private static Registry echoAndGreet() {
        return new Registry()
                .addOrchestration("Echo", "1.0.0", String.class, (ctx, in) -> "v1 " + in)
                .addOrchestration("Echo", "2.0.0", String.class, (ctx, in) -> "v2 " + in)
                .addOrchestration("Greet", String.class, (ctx, in) -> "hello " + in);
    }

    @Test
    void unknownNameIsStoredWithOneWarningNamingTheClosestNamesAndWhenItWillFail() {
        // The default backoff and delivery limit, so the warning states the figure the README gives.
        DuroxideClient client = harness.runtime(echoAndGreet(), b -> b.unregisteredBackoff(RuntimeOptions.DEFAULTS.unregisteredBackoff())).client();

        String id = client.startOrchestration("Ecoh", "x", StartOptions.withInstanceId("typo"));

        assertThat(logged).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(record.getMessage()).isEqualTo("instance 'typo' started: orchestration 'Ecoh' is not registered in this process"
                    + " (registered names, closest first: 'Echo', 'Greet'); it waits for a runtime that registers it and otherwise"
                    + " fails with a CONFIGURATION error (config_error) after 10 deliveries, about 243 s with this runtime's options"
                    + " (DuroxideRuntime.Builder.rejectUnknownOrchestrations(true) refuses such starts)");
        });
        assertThat(client.getStatus(id)).hasValueSatisfying(status -> {
            assertThat(status.name()).isEqualTo("Ecoh");
            assertThat(status.status().isTerminal()).isFalse();
        });
    }

    @Test
    void unknownVersionOfAKnownNameIsStoredWithOneWarningListingItsVersions() {
        DuroxideClient client = harness.runtime(echoAndGreet(), b -> b.maxDeliveryAttempts(1000)).client();

        String id = client.startOrchestration("Echo", "x", new StartOptions("v3", "3.0.0"));

        assertThat(logged).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(record.getMessage()).startsWith("instance 'v3' started: orchestration 'Echo' version 3.0.0 is not registered"
                    + " in this process (registered versions of 'Echo': 1.0.0, 2.0.0); it waits for a runtime that registers it");
        });
        assertThat(client.getStatus(id)).hasValueSatisfying(status -> assertThat(status.status().isTerminal()).isFalse());
    }

    @Test
    void signalWithStartWarnsOnceWhenItStartsTheInstanceAndNotWhenItOnlySignals() {
        DuroxideClient client = harness.runtime(echoAndGreet(), b -> b.maxDeliveryAttempts(1000)).client();

        assertThat(client.signalWithStart("Waiter", "x", StartOptions.withInstanceId("w"), "go", 1)).isTrue();
        assertThat(client.signalWithStart("Waiter", "x", StartOptions.withInstanceId("w"), "go", 2)).isFalse();

        assertThat(logged).singleElement().satisfies(record -> assertThat(record.getMessage())
                .startsWith("instance 'w' started: orchestration 'Waiter' is not registered in this process"));
        assertThat(client.getStatus("w")).isPresent();
    }

    @Test
    void knownStartsLogNothing() {
        DuroxideClient client = harness.runtime(echoAndGreet()).client();

        String latest = client.startOrchestration("Echo", "a");
        String pinned = client.startOrchestration("Echo", "b", new StartOptions(null, "1.0.0"));
        client.signalWithStart("Greet", "c", StartOptions.withInstanceId("g"), "ignored", 0);

        assertThat(await(client, latest).outputAs(String.class)).isEqualTo("v2 a");
        assertThat(await(client, pinned).outputAs(String.class)).isEqualTo("v1 b");
        assertThat(await(client, "g").outputAs(String.class)).isEqualTo("hello c");
        assertThat(logged).isEmpty();
        // The capture does see this logger: an unknown start right after is the one record.
        client.startOrchestration("Nope", "d");
        assertThat(logged).singleElement().satisfies(record -> assertThat(record.getMessage()).contains("orchestration 'Nope'"));
    }

    @Test
    void rejectUnknownOrchestrationsRefusesTheStartBeforeAnythingIsStored() throws SQLException {
        DuroxideClient client = harness.runtime(echoAndGreet(), b -> b.rejectUnknownOrchestrations(true)).client();

        assertThatThrownBy(() -> client.startOrchestration("Ecoh", "x", StartOptions.withInstanceId("r1")))
                .isInstanceOf(UnknownOrchestrationException.class)
                .hasMessage("orchestration 'Ecoh' is not registered in this process (registered names, closest first: 'Echo', 'Greet');"
                        + " start refused (rejectUnknownOrchestrations), nothing was stored");
        assertThatThrownBy(() -> client.startOrchestration("Echo", "x", new StartOptions("r2", "3.0.0")))
                .isInstanceOf(UnknownOrchestrationException.class)
                .hasMessageStartingWith("orchestration 'Echo' version 3.0.0 is not registered in this process (registered versions of 'Echo': 1.0.0, 2.0.0)");
        assertThatThrownBy(() -> client.signalWithStart("Ecoh", "x", StartOptions.withInstanceId("r3"), "go", 1))
                .isInstanceOf(UnknownOrchestrationException.class)
                .hasMessageStartingWith("orchestration 'Ecoh' is not registered");

        assertThat(rows("instances")).isZero();
        assertThat(rows("orchestrator_queue")).isZero();
        assertThat(logged).isEmpty();
        // Known starts still go through.
        assertThat(await(client, client.startOrchestration("Greet", "y")).outputAs(String.class)).isEqualTo("hello y");
    }

    @Test
    void anInstanceStartedWhereItIsUnknownIsRunByARuntimeThatRegistersIt() {
        DuroxideClient old = harness.runtime(echoAndGreet(), b -> b.maxDeliveryAttempts(1000)).client();
        String id = old.startOrchestration("Later", "x");
        assertThat(logged).singleElement().satisfies(record -> assertThat(record.getMessage())
                .startsWith("instance '" + id + "' started: orchestration 'Later' is not registered in this process"));

        DuroxideClient upgraded = harness.runtime(echoAndGreet().addOrchestration("Later", String.class, (ctx, in) -> "ran " + in)).client();

        var status = await(upgraded, id);
        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.outputAs(String.class)).isEqualTo("ran x");
    }

    private long rows(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + harness.dbFile());
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
