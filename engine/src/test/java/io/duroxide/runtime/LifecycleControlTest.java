package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static io.duroxide.runtime.EngineHarness.eventually;
import static io.duroxide.runtime.EngineHarness.eventuallyStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.FailureKind;
import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.history.HistoryEvent;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LifecycleControlTest extends EngineTestBase {
    Registry registry;
    ProviderClient client;

    @BeforeEach
    void setUp() {
        registry = new Registry()
                .addOrchestration("Waiter", String.class, (ctx, in) -> ctx.waitForExternalEvent("go", String.class).await())
                .addOrchestration("Parent", String.class, (ctx, in) -> ctx.allOf(List.of(
                        ctx.callSubOrchestration("Waiter", "a", String.class),
                        ctx.callSubOrchestration("Waiter", "b", String.class))).await().toString());
        client = harness.runtime(registry).client();
    }

    @Test
    void cancellingAParentCancelsItsRunningChildren() {
        String id = client.startOrchestration("Parent", "", StartOptions.withInstanceId("p"));
        eventuallyStatus(client, "p::sub::0", RuntimeStatus.RUNNING);
        eventuallyStatus(client, "p::sub::1", RuntimeStatus.RUNNING);

        client.cancel(id, "operator stopped it");

        InstanceStatus parent = await(client, id);
        assertThat(parent.status()).isEqualTo(RuntimeStatus.CANCELLED);
        assertThat(parent.failure().kind()).isEqualTo(FailureKind.CANCELLED);
        assertThat(parent.failure().message()).isEqualTo("operator stopped it");
        for (String child : List.of("p::sub::0", "p::sub::1")) {
            InstanceStatus c = await(client, child);
            assertThat(c.status()).isEqualTo(RuntimeStatus.CANCELLED);
            assertThat(c.failure().message()).contains("parent p cancelled");
        }
    }

    @Test
    void suspendedInstanceKeepsMessagesAndRunsAfterResume() {
        String id = client.startOrchestration("Waiter", "");
        eventuallyStatus(client, id, RuntimeStatus.RUNNING);
        client.suspend(id, "maintenance");
        eventuallyStatus(client, id, RuntimeStatus.SUSPENDED);

        client.raiseEvent(id, "go", "after resume");
        eventually("the event is recorded", () -> client.getHistory(id).stream().anyMatch(e -> e instanceof HistoryEvent.EventRaised));
        assertThat(client.getStatus(id).orElseThrow().status()).isEqualTo(RuntimeStatus.SUSPENDED);

        client.resume(id, "done");
        InstanceStatus status = await(client, id);
        assertThat(status.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(status.outputAs(String.class)).isEqualTo("after resume");
    }

    @Test
    void startingAnExistingIdIsAClearError() {
        client.startOrchestration("Waiter", "", StartOptions.withInstanceId("dup"));
        assertThatThrownBy(() -> client.startOrchestration("Waiter", "", StartOptions.withInstanceId("dup")))
                .isInstanceOf(InstanceAlreadyExistsException.class)
                .hasMessageContaining("'dup' already exists");
        client.raiseEvent("dup", "go", "x");
        assertThat(await(client, "dup").outputAs(String.class)).isEqualTo("x");
    }

    @Test
    void raisingAnEventOnAMissingOrEndedInstanceIsAClearError() {
        assertThatThrownBy(() -> client.raiseEvent("nobody", "go", "x"))
                .isInstanceOf(InstanceNotFoundException.class).hasMessageContaining("'nobody'");
        String id = client.startOrchestration("Waiter", "");
        client.raiseEvent(id, "go", "x");
        await(client, id);
        assertThatThrownBy(() -> client.raiseEvent(id, "go", "again"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("COMPLETED");
    }

    @Test
    void signalWithStartStartsOnceAndDeliversEachSignal() {
        boolean first = client.signalWithStart("Waiter", "", StartOptions.withInstanceId("sig"), "go", "signal-1");
        InstanceStatus done = await(client, "sig");
        assertThat(first).isTrue();
        assertThat(done.outputAs(String.class)).isEqualTo("signal-1");
        assertThat(((HistoryEvent.ExecutionStarted) client.getHistory("sig").get(0)).initiatedBy())
                .isEqualTo(io.duroxide.history.InitiatedBy.SIGNAL);
    }

    @Test
    void listQueryAndPurge() {
        String a = client.startOrchestration("Waiter", "", StartOptions.withInstanceId("a"));
        client.startOrchestration("Waiter", "", StartOptions.withInstanceId("b"));
        client.raiseEvent(a, "go", "x");
        await(client, a);
        eventuallyStatus(client, "b", RuntimeStatus.RUNNING);

        assertThat(client.listInstances(InstanceQuery.byStatus(RuntimeStatus.COMPLETED))).extracting(InstanceStatus::instanceId).containsExactly("a");
        assertThat(client.listInstances(InstanceQuery.byName("Waiter"))).extracting(InstanceStatus::instanceId).containsExactly("a", "b");
        assertThatThrownBy(() -> client.purgeInstance("b")).isInstanceOf(IllegalStateException.class);

        assertThat(client.purgeInstance(a)).isEqualTo(1);
        assertThat(client.getStatus(a)).isEmpty();
        assertThat(client.getStatus("b")).isPresent();
    }
}
