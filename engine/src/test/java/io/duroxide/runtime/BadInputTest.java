package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static io.duroxide.runtime.EngineHarness.eventuallyStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.FailureKind;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.PayloadTooLargeException;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input gets one clear error and loses nothing already committed. */
class BadInputTest extends EngineTestBase {
    private static final String TWO_MIB = "x".repeat(2 << 20);

    DuroxideClient client;

    @BeforeEach
    void setUp() {
        Registry registry = new Registry()
                .addActivity("Huge", String.class, (ctx, in) -> TWO_MIB)
                .addOrchestration("Waiter", String.class, (ctx, in) -> ctx.waitForExternalEvent("go", String.class).await())
                .addOrchestration("BigStatus", String.class, (ctx, in) -> {
                    ctx.setCustomStatus("s".repeat(300 << 10));
                    return "unreachable";
                })
                .addOrchestration("BigResult", String.class, (ctx, in) -> ctx.callActivity("Huge", in, String.class).await());
        client = harness.runtime(registry, b -> b.maxDeliveryAttempts(3)).client();
    }

    @Test
    void oversizedStartInputIsRejectedAndNothingIsStored() {
        assertThatThrownBy(() -> client.startOrchestration("Waiter", TWO_MIB, StartOptions.withInstanceId("big")))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("input of 'Waiter' is 2097154 bytes of JSON, over the limit of 1048576 bytes");
        assertThat(client.getStatus("big")).isEmpty();
    }

    @Test
    void oversizedEventIsRejectedAndTheInstanceCarriesOn() {
        String id = client.startOrchestration("Waiter", "");
        eventuallyStatus(client, id, RuntimeStatus.RUNNING);

        assertThatThrownBy(() -> client.raiseEvent(id, "go", TWO_MIB)).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("data of event 'go'");
        client.raiseEvent(id, "go", "small");

        assertThat(await(client, id).outputAs(String.class)).isEqualTo("small");
    }

    @Test
    void oversizedCustomStatusFailsTheInstanceClearly() {
        String id = client.startOrchestration("BigStatus", "");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().message()).contains("custom status is").contains("over the limit of 262144 bytes");
        assertThat(status.failure().errorCode()).isEqualTo("payload_too_large");
        assertThat(status.customStatus()).isNull();
    }

    @Test
    void oversizedActivityResultFailsTheActivityWithoutRetry() {
        String id = client.startOrchestration("BigResult", "");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().message()).contains("output of activity 'Huge'");
        assertThat(status.failure().retryable()).isFalse();
    }

    @Test
    void unknownVersionFailsNamingTheRegisteredOnes() {
        String id = client.startOrchestration("Waiter", "", new StartOptions(null, "9.9.9"));

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(status.failure().message()).contains("orchestration 'Waiter' version 9.9.9 is not registered")
                .contains("Waiter=[1.0.0]");
    }
}
