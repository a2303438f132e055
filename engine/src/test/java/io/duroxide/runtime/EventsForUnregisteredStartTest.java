package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static io.duroxide.runtime.EngineHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.history.HistoryEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Rolling deploy on one SQLite file: a runtime that does not register "Later" starts it and puts the start
 * back with a delay; events sent meanwhile (raiseEvent, a second signalWithStart) must wait with the start and
 * reach the upgraded runtime that registers "Later", without counting deliveries of their own.
 */
class EventsForUnregisteredStartTest extends EngineTestBase {
    /** Long enough that, were the event not held back with the start, a runtime would fetch it alone first. */
    private static final Duration LONG_BACKOFF = Duration.ofSeconds(2);

    private static Registry old() {
        return new Registry().addOrchestration("Other", String.class, (ctx, in) -> in);
    }

    private static Registry upgraded() {
        return old().addOrchestration("Later", Integer.class, (ctx, events) -> {
            StringBuilder got = new StringBuilder("got");
            for (int i = 0; i < events; i++) {
                got.append(' ').append(ctx.waitForExternalEvent("go", String.class).await());
            }
            return got.toString();
        });
    }

    @Test
    void anEventRaisedWhileTheStartIsPutBackReachesTheUpgradedRuntime() {
        DuroxideRuntime oldRuntime = harness.runtime(old(), b -> b.unregisteredBackoff(LONG_BACKOFF));
        String id = oldRuntime.client().startOrchestration("Later", 1, StartOptions.withInstanceId("later-1"));
        awaitDeliveries(id, 1);

        oldRuntime.client().raiseEvent(id, "go", "payload");
        oldRuntime.close();

        ProviderClient upgraded = harness.runtime(upgraded()).client();
        InstanceStatus status = await(upgraded, id);
        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.outputAs(String.class)).isEqualTo("got payload");
        assertThat(upgraded.getHistory(id)).filteredOn(HistoryEvent.EventRaised.class::isInstance).hasSize(1);
    }

    @Test
    void aSecondSignalWithStartWhileTheStartIsPutBackReachesTheUpgradedRuntime() {
        DuroxideRuntime oldRuntime = harness.runtime(old(), b -> b.unregisteredBackoff(LONG_BACKOFF));
        ProviderClient client = oldRuntime.client();
        StartOptions options = StartOptions.withInstanceId("later-2");
        assertThat(client.signalWithStart("Later", 2, options, "go", "a")).isTrue();
        awaitDeliveries("later-2", 1);

        assertThat(client.signalWithStart("Later", 2, options, "go", "b")).isFalse();
        oldRuntime.close();

        InstanceStatus status = await(harness.runtime(upgraded()).client(), "later-2");
        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.outputAs(String.class)).isEqualTo("got a b");
    }

    @Test
    void heldEventsCountNoDeliveriesOfTheirOwnSoTheLastAllowedDeliveryStillRuns() throws SQLException {
        // The event is raised while the start is put back (1 s), then put back with it once more (2 s).
        DuroxideRuntime oldRuntime = harness.runtime(old(), b -> b.unregisteredBackoff(Duration.ofSeconds(1)));
        String id = oldRuntime.client().startOrchestration("Later", 1, StartOptions.withInstanceId("later-3"));
        awaitDeliveries(id, 1);
        oldRuntime.client().raiseEvent(id, "go", "payload");
        awaitDeliveries(id, 2);
        oldRuntime.close();
        int delivered = deliveries(id);

        // The instance's next delivery is its last allowed one; it would be poison had the event counted more.
        Consumer<DuroxideRuntime.Builder> lastDelivery = b -> b.maxDeliveryAttempts(delivered + 1);
        InstanceStatus status = await(harness.runtime(upgraded(), lastDelivery).client(), id);
        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.outputAs(String.class)).isEqualTo("got payload");
    }

    private void awaitDeliveries(String instanceId, int atLeast) {
        eventually("instance " + instanceId + " was delivered " + atLeast + " times", () -> {
            try {
                return deliveries(instanceId) >= atLeast;
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** The instance's delivery count as the store keeps it: the highest of its queued messages. */
    private int deliveries(String instanceId) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + harness.dbFile());
                PreparedStatement p = c.prepareStatement("SELECT coalesce(max(attempt_count), 0) FROM orchestrator_queue"
                        + " WHERE instance_id = ?")) {
            p.setString(1, instanceId);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
